//! asyncio's `asyncq.py`: producers and consumers over a work queue, ending with
//! `join`.
//!
//! Three producers put items (each after a short "random" pause) on a bounded
//! [`Queue`]; four consumers take them and spend a while on each, then call
//! `task_done`. Once the producers are finished, `join` waits until every item put has
//! been processed, not merely taken, and the idle consumers are cancelled, as asyncio's
//! demo does. The work overlaps: the run takes far less than the sum of the work.

use std::sync::Arc;
use std::time::Duration;

use spindle::sync::queue::Queue;
use spindle::time::{sleep, Instant};

use super::{seconds, show, SeededRandom};

/// One unit of work: who made it, and how long processing it takes.
struct Job {
    name: String,
    work_seconds: f64,
}

async fn produce(producer: u32, pauses: Vec<(f64, f64)>, queue: Arc<Queue<Job>>) {
    for (item, (pause, work_seconds)) in pauses.into_iter().enumerate() {
        sleep(seconds(pause)).await;
        let name = format!("item {producer}-{item}");
        println!("producer {producer} put {name}");
        queue.put(Job { name, work_seconds }).await;
    }
}

async fn consume(consumer: u32, queue: Arc<Queue<Job>>) {
    loop {
        let job = queue.get().await;
        println!("consumer {consumer} got {}", job.name);
        sleep(seconds(job.work_seconds)).await;
        println!("consumer {consumer} done with {}", job.name);
        queue.task_done();
    }
}

/// Runs the demo.
pub async fn run() {
    const PRODUCERS: u32 = 3;
    const ITEMS_EACH: usize = 3;
    const CONSUMERS: u32 = 4;

    let mut random = SeededRandom::new(444);
    let queue = Arc::new(Queue::new(4));
    let started = Instant::now();
    let mut total_work = 0.0;
    let producers: Vec<_> = (1..=PRODUCERS)
        .map(|producer| {
            // Pauses and work of up to 0.5 s and 1 s, drawn up front so every run is alike.
            let pauses: Vec<(f64, f64)> = (0..ITEMS_EACH)
                .map(|_| {
                    let pause = random.between(0, 5) as f64 / 10.0;
                    let work = random.between(1, 10) as f64 / 10.0;
                    (pause, work)
                })
                .collect();
            total_work += pauses.iter().map(|(_, work)| work).sum::<f64>();
            spindle::spawn(produce(producer, pauses, queue.clone()))
        })
        .collect();
    let consumers: Vec<_> = (1..=CONSUMERS)
        .map(|consumer| spindle::spawn(consume(consumer, queue.clone())))
        .collect();

    for producer in producers {
        producer.await.expect("producer finished");
    }
    queue.join().await;
    for consumer in &consumers {
        consumer.abort();
    }
    println!(
        "queue joined: all {} items processed in {}, against {} of work one at a time",
        PRODUCERS as usize * ITEMS_EACH,
        show(started.elapsed()),
        show(Duration::from_secs_f64(total_work * super::time_factor()))
    );
}
