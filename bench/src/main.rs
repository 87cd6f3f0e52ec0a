//! spindle-bench: spindle side by side with tokio and smol on identical workloads.
//!
//! `cargo run --release -p spindle-bench -- [--quick] [--filter NAME] [--workers N]`
//! runs every workload on the three runtimes in alternating rounds, prints a table
//! of medians and ratios, and (on an unfiltered run) writes `BENCHMARKS.md` at the
//! repository root. See `bench/README.md` for what each workload measures.

mod adapters;
mod harness;
mod workloads;

use std::fmt::Write as _;
use std::path::PathBuf;
use std::process::Command;
use std::time::{Duration, Instant};

use harness::{Unit, Workload};

/// The three runtimes, in table order.
#[derive(Clone, Copy, PartialEq, Eq, Debug)]
enum Rt {
    Spindle,
    Tokio,
    Smol,
}

const RUNTIMES: [Rt; 3] = [Rt::Spindle, Rt::Tokio, Rt::Smol];

impl Rt {
    fn name(self) -> &'static str {
        match self {
            Rt::Spindle => "spindle",
            Rt::Tokio => "tokio",
            Rt::Smol => "smol",
        }
    }

    fn parse(name: &str) -> Option<Rt> {
        RUNTIMES.into_iter().find(|rt| rt.name() == name)
    }

    /// The workload names this runtime has (spindle may lack a group still landing).
    fn workload_names(self) -> Vec<&'static str> {
        fn names<R>(list: Vec<Workload<R>>) -> Vec<&'static str> {
            list.iter().map(|w| w.name).collect()
        }
        match self {
            Rt::Spindle => names(adapters::spindle::workloads()),
            Rt::Tokio => names(adapters::tokio::workloads()),
            Rt::Smol => names(adapters::smol::workloads()),
        }
    }

    /// A fresh runtime of this kind with `workers` workers, ready to run workloads.
    fn contender(self, workers: usize) -> Box<dyn Contender> {
        match self {
            Rt::Spindle => Box::new(Bench {
                rt: adapters::spindle::Runtime::new(workers),
                workloads: adapters::spindle::workloads(),
            }),
            Rt::Tokio => Box::new(Bench {
                rt: adapters::tokio::Runtime::new(workers),
                workloads: adapters::tokio::workloads(),
            }),
            Rt::Smol => Box::new(Bench {
                rt: adapters::smol::Runtime::new(workers),
                workloads: adapters::smol::workloads(),
            }),
        }
    }
}

/// A runtime with its workload list, behind one type the harness can hold three of.
trait Contender {
    fn run(&self, workload: &str) -> f64;
}

struct Bench<R> {
    rt: R,
    workloads: Vec<Workload<R>>,
}

impl<R> Contender for Bench<R> {
    fn run(&self, workload: &str) -> f64 {
        let workload = self
            .workloads
            .iter()
            .find(|w| w.name == workload)
            .expect("workload exists for this runtime");
        (workload.run)(&self.rt)
    }
}

/// A workload's description, independent of the runtime (taken from tokio's list,
/// which has every group).
struct Info {
    name: &'static str,
    group: &'static str,
    unit: Unit,
    isolated: bool,
    floor: Option<fn() -> f64>,
    /// An observability row (issue 10): spindle with no-op task hooks against
    /// spindle without, on the workload named without the `+hooks` suffix.
    hooks: bool,
}

/// The workloads measured again with task hooks set, as `NAME+hooks` rows.
const HOOKED: [&str; 2] = ["spawn_many_local+hooks", "yield_many+hooks"];

fn catalog() -> Vec<Info> {
    let mut all: Vec<Info> = Vec::new();
    let tokio = adapters::tokio::workloads();
    let smol = adapters::smol::workloads();
    let spindle = adapters::spindle::workloads();
    let infos = tokio
        .iter()
        .map(|w| (w.name, w.group, w.unit, w.isolated, w.floor))
        .chain(
            smol.iter()
                .map(|w| (w.name, w.group, w.unit, w.isolated, w.floor)),
        )
        .chain(
            spindle
                .iter()
                .map(|w| (w.name, w.group, w.unit, w.isolated, w.floor)),
        );
    for (name, group, unit, isolated, floor) in infos {
        if !all.iter().any(|info| info.name == name) {
            all.push(Info {
                name,
                group,
                unit,
                isolated,
                floor,
                hooks: false,
            });
        }
    }
    for name in HOOKED {
        all.push(Info {
            name,
            group: "observability",
            unit: Unit::Time,
            isolated: false,
            floor: None,
            hooks: true,
        });
    }
    all
}

/// How long to keep alternating rounds.
struct Policy {
    min_rounds: usize,
    max_rounds: usize,
    budget: Duration,
    isolated_rounds: usize,
}

const FULL: Policy = Policy {
    min_rounds: 10,
    max_rounds: 300,
    budget: Duration::from_secs(15),
    isolated_rounds: 3,
};

const QUICK: Policy = Policy {
    min_rounds: 3,
    max_rounds: 20,
    budget: Duration::from_secs(3),
    isolated_rounds: 1,
};

struct Options {
    quick: bool,
    filter: Option<String>,
    workers: usize,
}

fn parse_options(args: &[String]) -> Options {
    let mut options = Options {
        quick: false,
        filter: None,
        workers: 2,
    };
    let mut args = args.iter();
    while let Some(arg) = args.next() {
        match arg.as_str() {
            "--quick" => options.quick = true,
            "--filter" => options.filter = Some(args.next().expect("--filter NAME").clone()),
            "--workers" => {
                options.workers = args
                    .next()
                    .and_then(|n| n.parse().ok())
                    .filter(|&n| n > 0)
                    .expect("--workers N (N > 0)")
            }
            "-h" | "--help" => {
                println!(
                    "usage: spindle-bench [--quick] [--filter NAME[,NAME..]] [--workers N]\n\
                     \n\
                     Runs every workload on spindle, tokio and smol in alternating rounds and\n\
                     prints medians and ratios. An unfiltered run also writes BENCHMARKS.md.\n\
                     `spindle-bench __child RUNTIME WORKLOAD WORKERS` runs one sample and\n\
                     prints it (what the memory workloads use; handy under a profiler)."
                );
                std::process::exit(0);
            }
            other => panic!("unknown argument {other:?} (try --help)"),
        }
    }
    options
}

/// One workload's samples per runtime, in `RUNTIMES` order, plus the floor's.
struct Row<'a> {
    info: &'a Info,
    samples: [Vec<f64>; 3],
    floor: Vec<f64>,
}

fn median(samples: &[f64]) -> Option<f64> {
    if samples.is_empty() {
        return None;
    }
    let mut sorted = samples.to_vec();
    sorted.sort_by(f64::total_cmp);
    let mid = sorted.len() / 2;
    Some(if sorted.len() % 2 == 0 {
        (sorted[mid - 1] + sorted[mid]) / 2.0
    } else {
        sorted[mid]
    })
}

fn spread(samples: &[f64]) -> Option<(f64, f64)> {
    let min = samples.iter().copied().min_by(f64::total_cmp)?;
    let max = samples.iter().copied().max_by(f64::total_cmp)?;
    Some((min, max))
}

/// Runs one workload on every runtime that has it, round-robin.
fn measure<'a>(info: &'a Info, policy: &Policy, workers: usize) -> Row<'a> {
    let mut row = Row {
        info,
        samples: Default::default(),
        floor: Vec::new(),
    };
    if info.hooks {
        return measure_hooks(row, policy, workers);
    }
    let present: Vec<Rt> = RUNTIMES
        .into_iter()
        .filter(|rt| rt.workload_names().contains(&info.name))
        .collect();
    let slot = |rt: Rt| RUNTIMES.iter().position(|&r| r == rt).unwrap();

    if info.isolated {
        for round in 0..policy.isolated_rounds {
            for k in 0..present.len() {
                let rt = present[(round + k) % present.len()];
                row.samples[slot(rt)].push(run_child(rt, info.name, workers));
            }
        }
        return row;
    }

    // All runtimes live for the whole workload; each workload returns with its
    // runtime idle, so the ones not being measured are parked, not competing.
    let contenders: Vec<(Rt, Box<dyn Contender>)> = present
        .iter()
        .map(|&rt| (rt, rt.contender(workers)))
        .collect();
    // Warm-up round: thread start-up, allocator and queue growth, blocking pools.
    for (_, contender) in &contenders {
        contender.run(info.name);
    }
    let start = Instant::now();
    let mut round = 0;
    while round < policy.max_rounds
        && (round < policy.min_rounds || start.elapsed() < policy.budget)
    {
        // Rotating who goes first keeps position effects (a cache just warmed by
        // the previous runtime, a neighbour's compile starting) from favouring one.
        for k in 0..contenders.len() {
            let (rt, contender) = &contenders[(round + k) % contenders.len()];
            row.samples[slot(*rt)].push(contender.run(info.name));
        }
        if let Some(floor) = info.floor {
            row.floor.push(floor());
        }
        round += 1;
    }
    row
}

/// An observability row: spindle with no-op task hooks (samples slot 0) and
/// spindle without (slot 1), alternating in the same rounds like the peers do.
fn measure_hooks<'a>(mut row: Row<'a>, policy: &Policy, workers: usize) -> Row<'a> {
    let workload = row.info.name.trim_end_matches("+hooks");
    let contenders: [(usize, Box<dyn Contender>); 2] = [
        (
            0,
            Box::new(Bench {
                rt: adapters::spindle::Runtime::with_hooks(workers),
                workloads: adapters::spindle::workloads(),
            }),
        ),
        (1, Rt::Spindle.contender(workers)),
    ];
    for (_, contender) in &contenders {
        contender.run(workload);
    }
    let start = Instant::now();
    let mut round = 0;
    while round < policy.max_rounds
        && (round < policy.min_rounds || start.elapsed() < policy.budget)
    {
        for k in 0..contenders.len() {
            let (slot, contender) = &contenders[(round + k) % contenders.len()];
            row.samples[*slot].push(contender.run(workload));
        }
        round += 1;
    }
    row
}

/// The observability table's cells: hooked, plain, their ratio, spreads, rounds.
fn hooks_cells(row: &Row) -> Vec<String> {
    let unit = row.info.unit;
    let hooked = median(&row.samples[0]);
    let plain = median(&row.samples[1]);
    let value = |m: Option<f64>| m.map_or("n/a".into(), |m| format_value(m, unit));
    let range = |samples: &[f64]| {
        spread(samples).map_or("n/a".into(), |(lo, hi)| {
            format!("{}–{}", format_value(lo, unit), format_value(hi, unit))
        })
    };
    vec![
        row.info.name.to_string(),
        value(hooked),
        value(plain),
        format_ratio(hooked, plain),
        range(&row.samples[0]),
        range(&row.samples[1]),
        row.samples[0].len().to_string(),
    ]
}

const HOOKS_HEADERS: [&str; 7] = [
    "workload",
    "spindle+hooks",
    "spindle",
    "hooks/plain",
    "spindle+hooks min–max",
    "spindle min–max",
    "n",
];

/// One sample of `workload` in a fresh process.
fn run_child(rt: Rt, workload: &str, workers: usize) -> f64 {
    let exe = std::env::current_exe().expect("current exe");
    let output = Command::new(exe)
        .args(["__child", rt.name(), workload, &workers.to_string()])
        .output()
        .expect("run child");
    assert!(
        output.status.success(),
        "child {} {} failed: {}",
        rt.name(),
        workload,
        String::from_utf8_lossy(&output.stderr)
    );
    String::from_utf8_lossy(&output.stdout)
        .trim()
        .parse()
        .expect("child prints a number")
}

fn child(args: &[String]) -> ! {
    let [rt, workload, workers] = args else {
        panic!("usage: __child RUNTIME WORKLOAD WORKERS");
    };
    let rt = Rt::parse(rt).expect("runtime: spindle, tokio or smol");
    let workers = workers.parse().expect("workers");
    let contender = rt.contender(workers);
    println!("{}", contender.run(workload));
    // Exits without dropping the runtime: the memory workloads leave 100 000 tasks
    // parked, and tearing them down measures nothing.
    std::process::exit(0)
}

fn format_value(value: f64, unit: Unit) -> String {
    match unit {
        Unit::Bytes => format!("{value:.0} B"),
        Unit::Time => {
            let (scaled, suffix) = if value < 1e3 {
                (value, "ns")
            } else if value < 1e6 {
                (value / 1e3, "µs")
            } else if value < 1e9 {
                (value / 1e6, "ms")
            } else {
                (value / 1e9, "s")
            };
            if scaled < 10.0 {
                format!("{scaled:.2} {suffix}")
            } else if scaled < 100.0 {
                format!("{scaled:.1} {suffix}")
            } else {
                format!("{scaled:.0} {suffix}")
            }
        }
    }
}

fn format_ratio(a: Option<f64>, b: Option<f64>) -> String {
    match (a, b) {
        (Some(a), Some(b)) if b > 0.0 => format!("{:.2}", a / b),
        _ => "–".into(),
    }
}

/// The table's cells for one row.
fn cells(row: &Row) -> Vec<String> {
    let unit = row.info.unit;
    let medians: Vec<Option<f64>> = row.samples.iter().map(|s| median(s)).collect();
    let value = |m: Option<f64>| m.map_or("n/a".into(), |m| format_value(m, unit));
    let best_peer = match (medians[1], medians[2]) {
        (Some(a), Some(b)) => Some(a.min(b)),
        (a, b) => a.or(b),
    };
    let floor = median(&row.floor);
    let mut cells = vec![
        row.info.name.to_string(),
        value(medians[0]),
        value(medians[1]),
        value(medians[2]),
        format_ratio(medians[0], medians[1]),
        format_ratio(medians[0], medians[2]),
        format_ratio(medians[0], best_peer),
    ];
    for samples in &row.samples {
        cells.push(spread(samples).map_or("n/a".into(), |(lo, hi)| {
            format!("{}–{}", format_value(lo, unit), format_value(hi, unit))
        }));
    }
    cells.push(floor.map_or("".into(), |f| format_value(f, unit)));
    cells.push(
        row.samples
            .iter()
            .map(Vec::len)
            .max()
            .unwrap_or(0)
            .to_string(),
    );
    cells
}

const HEADERS: [&str; 13] = [
    "workload",
    "spindle",
    "tokio",
    "smol",
    "spindle/tokio",
    "spindle/smol",
    "spindle/best",
    "spindle min–max",
    "tokio min–max",
    "smol min–max",
    "floor",
    "n",
    "group",
];

fn print_row(cells: &[String], widths: &[usize]) {
    let line: Vec<String> = cells
        .iter()
        .zip(widths)
        .map(|(cell, &width)| format!("{cell:<width$}"))
        .collect();
    println!("{}", line.join("  ").trim_end());
}

struct Machine {
    cores: usize,
    kernel: String,
    cpu: String,
}

fn machine() -> Machine {
    let cores = std::thread::available_parallelism().map_or(1, |n| n.get());
    let kernel = std::fs::read_to_string("/proc/sys/kernel/osrelease")
        .map(|s| s.trim().to_string())
        .unwrap_or_else(|_| "unknown".into());
    let cpu = std::fs::read_to_string("/proc/cpuinfo")
        .ok()
        .and_then(|info| {
            info.lines()
                .find(|line| line.starts_with("model name"))
                .and_then(|line| line.split(':').nth(1))
                .map(|model| model.trim().to_string())
        })
        .unwrap_or_else(|| "unknown CPU".into());
    Machine { cores, kernel, cpu }
}

fn command_output(program: &str, args: &[&str]) -> Option<String> {
    let output = Command::new(program).args(args).output().ok()?;
    output
        .status
        .success()
        .then(|| String::from_utf8_lossy(&output.stdout).trim().to_string())
}

fn repo_root() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR"))
        .parent()
        .expect("bench/ has a parent")
        .to_path_buf()
}

fn markdown(rows: &[Row], options: &Options, machine: &Machine, elapsed: Duration) -> String {
    let root = repo_root();
    let root = root.to_str().unwrap_or(".");
    let commit = command_output("git", &["-C", root, "rev-parse", "--short", "HEAD"])
        .unwrap_or_else(|| "unknown".into());
    let date = command_output("date", &["-u", "+%Y-%m-%d %H:%M UTC"]).unwrap_or_default();
    let mode = if options.quick { " -- --quick" } else { "" };
    let mut md = String::new();
    let _ = writeln!(md, "# Benchmarks: spindle, tokio and smol side by side\n");
    let _ = writeln!(
        md,
        "Written by `cargo run --release -p spindle-bench{mode}` on {date}, at commit \
         `{commit}` (run time {:.0} s). How to run it and what each workload measures: \
         [bench/README.md](bench/README.md).\n",
        elapsed.as_secs_f64()
    );
    let _ = writeln!(
        md,
        "- Machine: {} cores (available_parallelism), kernel {}, {}. Shared with other \
         jobs while measuring, so absolute numbers are noisy: read the ratios.",
        machine.cores, machine.kernel, machine.cpu
    );
    let _ = writeln!(
        md,
        "- Workers: {} for every runtime (tokio multi-thread, spindle multi-thread, smol = \
         one `async_executor::Executor` run by {} threads).",
        options.workers, options.workers
    );
    let _ = writeln!(
        md,
        "- Each round runs the workload once on every runtime, in rotating order, so drift \
         hits all three alike; the table shows medians over `n` rounds and the min–max \
         spread. Memory rows run each sample in a fresh process.\n\
         - Ratios are spindle's median over the peer's: below 1.00 spindle is faster \
         (or smaller). `spindle/best` is against the faster peer; the goal is <= 1.00 \
         everywhere and <= 0.80 for scheduler and sync rows.\n\
         - `floor` is the same work with no runtime in the way (see the README); \
         `n/a` means that runtime does not have the workload's pieces yet.\n"
    );
    let _ = writeln!(md, "| {} |", HEADERS.join(" | "));
    let _ = writeln!(
        md,
        "|{}",
        HEADERS
            .iter()
            .enumerate()
            .map(|(i, _)| if i == 0 || i == 12 {
                " --- |"
            } else {
                " ---: |"
            })
            .collect::<String>()
    );
    for row in rows.iter().filter(|row| !row.info.hooks) {
        let mut cells = cells(row);
        cells.push(row.info.group.to_string());
        let _ = writeln!(md, "| {} |", cells.join(" | "));
    }
    let _ = writeln!(
        md,
        "\n## Overhead of observability (issue 10)\n\n\
         spindle with all four task hooks set to no-op closures (`on_task_spawn`, \
         `on_task_terminate`, `on_before_task_poll`, `on_after_task_poll`) against the \
         same runtime without hooks, alternating in the same rounds. `hooks/plain` above \
         1.00 is what the hooks cost.\n"
    );
    let _ = writeln!(md, "| {} |", HOOKS_HEADERS.join(" | "));
    let _ = writeln!(md, "| --- |{}", " ---: |".repeat(HOOKS_HEADERS.len() - 1));
    for row in rows.iter().filter(|row| row.info.hooks) {
        let _ = writeln!(md, "| {} |", hooks_cells(row).join(" | "));
    }
    md
}

fn main() {
    let args: Vec<String> = std::env::args().skip(1).collect();
    if args.first().map(String::as_str) == Some("__child") {
        child(&args[1..]);
    }
    let options = parse_options(&args);
    let policy = if options.quick { &QUICK } else { &FULL };
    harness::QUICK.store(options.quick, std::sync::atomic::Ordering::Relaxed);
    let machine = machine();
    println!(
        "spindle-bench: {} workers per runtime; machine: {} cores, kernel {}",
        options.workers, machine.cores, machine.kernel
    );

    let catalog = catalog();
    let filters: Vec<&str> = options
        .filter
        .as_deref()
        .map(|f| f.split(',').collect())
        .unwrap_or_default();
    let selected: Vec<&Info> = catalog
        .iter()
        .filter(|info| filters.is_empty() || filters.iter().any(|f| info.name.contains(f)))
        .collect();
    assert!(!selected.is_empty(), "no workload matches the filter");

    let mut widths: Vec<usize> = HEADERS.iter().map(|h| h.chars().count()).collect();
    widths[0] = catalog.iter().map(|i| i.name.len()).max().unwrap_or(8);
    for (i, width) in widths.iter_mut().enumerate().skip(1) {
        *width = (*width).max(if (7..=9).contains(&i) { 21 } else { 9 });
    }
    let headers: Vec<String> = HEADERS.iter().map(|h| h.to_string()).collect();
    print_row(&headers[..12], &widths);

    let start = Instant::now();
    let mut rows = Vec::new();
    let (hooked, plain): (Vec<&Info>, Vec<&Info>) =
        selected.into_iter().partition(|info| info.hooks);
    for info in plain {
        let row = measure(info, policy, options.workers);
        print_row(&cells(&row), &widths);
        rows.push(row);
    }
    if !hooked.is_empty() {
        let widths: Vec<usize> = HOOKS_HEADERS
            .iter()
            .enumerate()
            .map(|(i, h)| h.chars().count().max(if i == 0 { widths[0] } else { 9 }))
            .collect();
        println!("\noverhead of observability (spindle with no-op task hooks / without):");
        let headers: Vec<String> = HOOKS_HEADERS.iter().map(|h| h.to_string()).collect();
        print_row(&headers, &widths);
        for info in hooked {
            let row = measure(info, policy, options.workers);
            print_row(&hooks_cells(&row), &widths);
            rows.push(row);
        }
    }
    let elapsed = start.elapsed();
    println!("done in {:.0} s", elapsed.as_secs_f64());

    if filters.is_empty() {
        let path = repo_root().join("BENCHMARKS.md");
        std::fs::write(&path, markdown(&rows, &options, &machine, elapsed))
            .expect("write BENCHMARKS.md");
        println!("wrote {}", path.display());
    }
}
