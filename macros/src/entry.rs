//! `#[spindle::main]` and `#[spindle::test]`: turn an `async fn` into a plain one that
//! builds a runtime and blocks on the original body.
//!
//! The arguments are parsed into a [`Config`] first, collecting every mistake as a
//! `syn::Error` spanned on the argument at fault. When there are mistakes the function
//! is still expanded, with the default configuration, and the errors are emitted next
//! to it: the user then sees only the errors about the arguments, not a cascade of
//! "`main` function not found" or "async main" errors about the function we dropped.

use proc_macro2::TokenStream;
use quote::{quote, quote_spanned, ToTokens};
use syn::parse::Parser;
use syn::punctuated::Punctuated;
use syn::spanned::Spanned;
use syn::{Expr, ExprLit, ItemFn, Lit, LitStr, Meta, Path, ReturnType, Token, Type};

/// Which attribute is being expanded; they differ in the default flavor and in
/// whether the output carries `#[test]`.
#[derive(Clone, Copy, PartialEq, Eq)]
pub(crate) enum Kind {
    Main,
    Test,
}

impl Kind {
    fn attribute_name(self) -> &'static str {
        match self {
            Kind::Main => "#[spindle::main]",
            Kind::Test => "#[spindle::test]",
        }
    }

    fn default_flavor(self) -> Flavor {
        match self {
            Kind::Main => Flavor::MultiThread,
            Kind::Test => Flavor::CurrentThread,
        }
    }
}

#[derive(Clone, Copy, PartialEq, Eq)]
enum Flavor {
    MultiThread,
    CurrentThread,
    /// A `LocalRuntime`: current-thread, and the body need not be `Send`.
    Local,
}

/// `unhandled_panic = "..."`: the `UnhandledPanic` variant to build with.
#[derive(Clone, Copy, PartialEq, Eq)]
enum UnhandledPanic {
    Ignore,
    ShutdownRuntime,
}

/// The parsed attribute arguments.
struct Config {
    flavor: Flavor,
    worker_threads: Option<usize>,
    start_paused: bool,
    /// `graceful_shutdown = "10s"`, in milliseconds.
    graceful_shutdown_millis: Option<u64>,
    crate_path: Path,
    /// `name = "..."`: the runtime's name (`Handle::name`).
    name: Option<LitStr>,
    unhandled_panic: Option<UnhandledPanic>,
    /// `simulate = N` (tests only): run the body under N seeds of `spindle::sim`.
    simulate: Option<u64>,
}

impl Config {
    fn defaults(kind: Kind, default_crate: &Path) -> Config {
        Config {
            flavor: kind.default_flavor(),
            worker_threads: None,
            start_paused: false,
            graceful_shutdown_millis: None,
            crate_path: default_crate.clone(),
            name: None,
            unhandled_panic: None,
            simulate: None,
        }
    }
}

/// Expands `#[main]`/`#[test]`. `default_crate` is the path the generated code names
/// the runtime by unless `crate = "..."` says otherwise: `::spindle`, or `::tokio` for
/// the entry points of the `tokio` compat package.
pub(crate) fn expand(
    kind: Kind,
    default_crate: &Path,
    args: TokenStream,
    item: TokenStream,
) -> TokenStream {
    let mut function: ItemFn = match syn::parse2(item.clone()) {
        Ok(function) => function,
        // Not a function at all: report it and give the item back untouched so the
        // compiler does not add errors about it disappearing.
        Err(error) => {
            let error = error.to_compile_error();
            return quote! { #error #item };
        }
    };

    if function.sig.asyncness.is_none() {
        let error = syn::Error::new_spanned(
            function.sig.fn_token,
            format!(
                "{}: the `async` keyword is missing from the function declaration",
                kind.attribute_name()
            ),
        )
        .to_compile_error();
        return quote! { #error #function };
    }

    let mut errors: Option<syn::Error> = None;
    let mut push_error = |error: syn::Error| match &mut errors {
        Some(existing) => existing.combine(error),
        None => errors = Some(error),
    };

    if kind == Kind::Test {
        if let Some(attr) = function.attrs.iter().find(|attr| is_test_attribute(attr)) {
            push_error(syn::Error::new_spanned(
                attr,
                "#[spindle::test] already adds #[test]: remove this second test attribute",
            ));
        }
        // Reported once is enough: left in, it would also draw rustc's warning about a
        // duplicated attribute.
        function.attrs.retain(|attr| !is_test_attribute(attr));
    }

    let config = match parse_config(kind, default_crate, args) {
        Ok(config) => config,
        Err(error) => {
            push_error(error);
            Config::defaults(kind, default_crate)
        }
    };

    let expanded = generate(kind, &config, function);
    match errors {
        Some(errors) => {
            let errors = errors.to_compile_error();
            quote! { #errors #expanded }
        }
        None => expanded,
    }
}

fn is_test_attribute(attr: &syn::Attribute) -> bool {
    // `#[test]`, `#[core::prelude::v1::test]`, `#[tokio::test]`: any of them would make
    // the harness run the function twice or reject it.
    attr.path()
        .segments
        .last()
        .is_some_and(|segment| segment.ident == "test")
}

/// Parses `key = value, ...`, reporting every bad argument, not just the first.
fn parse_config(kind: Kind, default_crate: &Path, args: TokenStream) -> syn::Result<Config> {
    let arguments = Punctuated::<Meta, Token![,]>::parse_terminated.parse2(args)?;
    let mut config = Config::defaults(kind, default_crate);
    let mut errors: Option<syn::Error> = None;
    let mut push_error = |error: syn::Error| match &mut errors {
        Some(existing) => existing.combine(error),
        None => errors = Some(error),
    };

    // The arguments that were given, kept to check duplicates and the combinations
    // that only make sense together once every argument is known.
    let mut flavor_arg: Option<Meta> = None;
    let mut worker_threads_arg: Option<Meta> = None;
    let mut start_paused_arg: Option<Meta> = None;
    let mut crate_arg: Option<Meta> = None;
    let mut graceful_arg: Option<Meta> = None;
    let mut name_arg: Option<Meta> = None;
    let mut unhandled_panic_arg: Option<Meta> = None;
    let mut simulate_arg: Option<Meta> = None;

    for argument in arguments {
        let Meta::NameValue(name_value) = &argument else {
            push_error(syn::Error::new_spanned(
                &argument,
                format!(
                    "{}: expected `key = value`; the keys are `flavor`, `worker_threads`, \
                     `start_paused`, `name`, `unhandled_panic`, `graceful_shutdown` and `crate`",
                    kind.attribute_name()
                ),
            ));
            continue;
        };
        let key = name_value
            .path
            .get_ident()
            .map(ToString::to_string)
            .unwrap_or_default();
        let slot = match key.as_str() {
            "flavor" => &mut flavor_arg,
            "worker_threads" => &mut worker_threads_arg,
            "start_paused" => &mut start_paused_arg,
            "crate" => &mut crate_arg,
            "graceful_shutdown" => &mut graceful_arg,
            "name" => &mut name_arg,
            "unhandled_panic" => &mut unhandled_panic_arg,
            "simulate" if kind == Kind::Test => &mut simulate_arg,
            _ => {
                push_error(syn::Error::new_spanned(
                    &name_value.path,
                    format!(
                        "{}: unknown option `{}`; the options are `flavor`, `worker_threads`, \
                         `start_paused`, `name`, `unhandled_panic`, `graceful_shutdown` and `crate`",
                        kind.attribute_name(),
                        name_value.path.to_token_stream()
                    ),
                ));
                continue;
            }
        };
        if slot.is_some() {
            push_error(syn::Error::new_spanned(
                &argument,
                format!("{}: `{key}` is given twice", kind.attribute_name()),
            ));
            continue;
        }
        let result = match key.as_str() {
            "flavor" => parse_flavor(kind, &name_value.value).map(|flavor| config.flavor = flavor),
            "worker_threads" => parse_worker_threads(kind, &name_value.value)
                .map(|count| config.worker_threads = Some(count)),
            "start_paused" => {
                parse_bool(kind, &name_value.value).map(|paused| config.start_paused = paused)
            }
            "graceful_shutdown" => parse_graceful_shutdown(kind, &name_value.value)
                .map(|millis| config.graceful_shutdown_millis = Some(millis)),
            "name" => parse_name(kind, &name_value.value).map(|name| config.name = Some(name)),
            "unhandled_panic" => parse_unhandled_panic(kind, &name_value.value)
                .map(|behavior| config.unhandled_panic = Some(behavior)),
            "simulate" => {
                parse_simulate(kind, &name_value.value).map(|count| config.simulate = Some(count))
            }
            _ => parse_crate_path(kind, &name_value.value).map(|path| config.crate_path = path),
        };
        match result {
            Ok(()) => *slot = Some(argument),
            Err(error) => push_error(error),
        }
    }

    if let Some(worker_threads) = &worker_threads_arg {
        if config.flavor != Flavor::MultiThread {
            let hint = match kind {
                Kind::Main => "#[spindle::main(flavor = \"multi_thread\", worker_threads = N)]",
                Kind::Test => "#[spindle::test(flavor = \"multi_thread\", worker_threads = N)]",
            };
            push_error(syn::Error::new_spanned(
                worker_threads,
                format!(
                    "{}: `worker_threads` requires the multi-thread flavor: the current-thread \
                     runtime runs every task on the calling thread; use `{hint}`",
                    kind.attribute_name()
                ),
            ));
        }
    }

    if let (Some(graceful), Flavor::Local) = (&graceful_arg, config.flavor) {
        push_error(syn::Error::new_spanned(
            graceful,
            format!(
                "{}: `graceful_shutdown` is not available with `flavor = \"local\"`; use the \
                 current_thread or multi_thread flavor",
                kind.attribute_name()
            ),
        ));
    }

    if let (Some(graceful), Kind::Test) = (&graceful_arg, kind) {
        push_error(syn::Error::new_spanned(
            graceful,
            "#[spindle::test]: `graceful_shutdown` is for #[spindle::main], where ctrl-c and \
             SIGTERM start it; in a test, call Runtime::shutdown_graceful on a runtime you \
             build",
        ));
    }

    match errors {
        Some(errors) => Err(errors),
        None => Ok(config),
    }
}

/// Parses `"10s"`, `"500ms"`, `"2m"` into milliseconds.
fn parse_graceful_shutdown(kind: Kind, value: &Expr) -> syn::Result<u64> {
    let wrong = |spanned: &dyn ToTokens| {
        syn::Error::new_spanned(
            spanned,
            format!(
                "{}: `graceful_shutdown` expects a duration as a string: a whole number \
                 followed by `ms`, `s` or `m`, such as `graceful_shutdown = \"10s\"`",
                kind.attribute_name()
            ),
        )
    };
    let literal = string_literal(value).ok_or_else(|| wrong(value))?;
    let text = literal.value();
    let digits_end = text
        .find(|c: char| !c.is_ascii_digit())
        .unwrap_or(text.len());
    let (number, unit) = text.split_at(digits_end);
    let number: u64 = number.parse().map_err(|_| wrong(literal))?;
    let scale = match unit {
        "ms" => 1,
        "s" => 1_000,
        "m" => 60_000,
        _ => return Err(wrong(literal)),
    };
    number.checked_mul(scale).ok_or_else(|| wrong(literal))
}

fn string_literal(value: &Expr) -> Option<&LitStr> {
    match value {
        Expr::Lit(ExprLit {
            lit: Lit::Str(literal),
            ..
        }) => Some(literal),
        _ => None,
    }
}

fn parse_flavor(kind: Kind, value: &Expr) -> syn::Result<Flavor> {
    let unknown = || {
        syn::Error::new_spanned(
            value,
            format!(
                "{}: unknown runtime flavor; expected \"multi_thread\", \"current_thread\" or \"local\"",
                kind.attribute_name()
            ),
        )
    };
    match string_literal(value).map(LitStr::value).as_deref() {
        Some("multi_thread") => Ok(Flavor::MultiThread),
        Some("current_thread") => Ok(Flavor::CurrentThread),
        Some("local") => Ok(Flavor::Local),
        _ => Err(unknown()),
    }
}

fn parse_name(kind: Kind, value: &Expr) -> syn::Result<LitStr> {
    string_literal(value).cloned().ok_or_else(|| {
        syn::Error::new_spanned(
            value,
            format!(
                "{}: `name` expects a string, such as `name = \"ingest\"`",
                kind.attribute_name()
            ),
        )
    })
}

fn parse_unhandled_panic(kind: Kind, value: &Expr) -> syn::Result<UnhandledPanic> {
    match string_literal(value).map(LitStr::value).as_deref() {
        Some("ignore") => Ok(UnhandledPanic::Ignore),
        Some("shutdown_runtime") => Ok(UnhandledPanic::ShutdownRuntime),
        _ => Err(syn::Error::new_spanned(
            value,
            format!(
                "{}: `unhandled_panic` expects \"ignore\" or \"shutdown_runtime\"",
                kind.attribute_name()
            ),
        )),
    }
}

fn parse_worker_threads(kind: Kind, value: &Expr) -> syn::Result<usize> {
    let Expr::Lit(ExprLit {
        lit: Lit::Int(literal),
        ..
    }) = value
    else {
        return Err(syn::Error::new_spanned(
            value,
            format!(
                "{}: `worker_threads` expects an integer literal, such as `worker_threads = 4`",
                kind.attribute_name()
            ),
        ));
    };
    let count: usize = literal.base10_parse().map_err(|error| {
        syn::Error::new_spanned(
            literal,
            format!("{}: `worker_threads`: {error}", kind.attribute_name()),
        )
    })?;
    if count == 0 {
        return Err(syn::Error::new_spanned(
            literal,
            format!(
                "{}: `worker_threads = 0`: a multi-thread runtime needs at least one worker \
                 thread; pass 1 or more, or use `flavor = \"current_thread\"`",
                kind.attribute_name()
            ),
        ));
    }
    Ok(count)
}

fn parse_simulate(kind: Kind, value: &Expr) -> syn::Result<u64> {
    let error = || {
        syn::Error::new_spanned(
            value,
            format!(
                "{}: `simulate` expects a positive number of seeds, such as `simulate = 1000`",
                kind.attribute_name()
            ),
        )
    };
    let Expr::Lit(syn::ExprLit {
        lit: syn::Lit::Int(count),
        ..
    }) = value
    else {
        return Err(error());
    };
    match count.base10_parse::<u64>() {
        Ok(count) if count > 0 => Ok(count),
        _ => Err(error()),
    }
}

fn parse_bool(kind: Kind, value: &Expr) -> syn::Result<bool> {
    match value {
        Expr::Lit(ExprLit {
            lit: Lit::Bool(literal),
            ..
        }) => Ok(literal.value),
        _ => Err(syn::Error::new_spanned(
            value,
            format!(
                "{}: `start_paused` expects `true` or `false`",
                kind.attribute_name()
            ),
        )),
    }
}

fn parse_crate_path(kind: Kind, value: &Expr) -> syn::Result<Path> {
    let literal = string_literal(value).ok_or_else(|| {
        syn::Error::new_spanned(
            value,
            format!(
                "{}: `crate` expects the path as a string, such as \
                 `crate = \"my_crate::spindle\"`",
                kind.attribute_name()
            ),
        )
    })?;
    literal.parse::<Path>().map_err(|_| {
        syn::Error::new_spanned(
            literal,
            format!(
                "{}: `crate = {:?}` is not a path; name the module that re-exports spindle, \
                 such as `crate = \"my_crate::spindle\"`",
                kind.attribute_name(),
                literal.value()
            ),
        )
    })
}

/// Rewrites `async fn f() -> T { body }` into `fn f() -> T { <build>.block_on(async { body }) }`.
fn generate(kind: Kind, config: &Config, mut function: ItemFn) -> TokenStream {
    function.sig.asyncness = None;
    let crate_path = &config.crate_path;

    // Spans on the body's last token, so that a type error in the value the body
    // returns points at the body rather than at the attribute.
    let body = &function.block;
    let body_span = body
        .stmts
        .last()
        .map_or_else(|| body.brace_token.span.join(), Spanned::span);

    if let Some(count) = config.simulate {
        // The seeds are derived from the test's name, so every run draws the same ones.
        let name = function.sig.ident.to_string();
        let new_block = quote_spanned! {body_span=>
            {
                #crate_path::sim::check(
                    #crate_path::sim::seeds_for(#name, #count),
                    || async #body,
                )
            }
        };
        let new_block: syn::Block = match syn::parse2(new_block) {
            Ok(block) => block,
            Err(error) => return error.to_compile_error(),
        };
        *function.block = new_block;
        return quote! {
            #[::core::prelude::v1::test]
            #function
        };
    }

    let mut builder = match config.flavor {
        Flavor::MultiThread => quote! { #crate_path::runtime::Builder::new_multi_thread() },
        Flavor::CurrentThread | Flavor::Local => {
            quote! { #crate_path::runtime::Builder::new_current_thread() }
        }
    };
    if let Some(name) = &config.name {
        builder.extend(quote! { .name(#name) });
    }
    match config.unhandled_panic {
        Some(UnhandledPanic::Ignore) => builder
            .extend(quote! { .unhandled_panic(#crate_path::runtime::UnhandledPanic::Ignore) }),
        Some(UnhandledPanic::ShutdownRuntime) => builder.extend(
            quote! { .unhandled_panic(#crate_path::runtime::UnhandledPanic::ShutdownRuntime) },
        ),
        None => {}
    }
    if let Some(count) = config.worker_threads {
        builder.extend(quote! { .worker_threads(#count) });
    }
    if config.start_paused {
        builder.extend(quote! { .start_paused(true) });
    }
    let failure = format!(
        "{}: failed to build the spindle runtime: {{}}",
        kind.attribute_name()
    );

    // Naming the future's output type (when it can be named) makes the compiler infer
    // the body's `?` conversions and report a wrong return value against the
    // signature instead of somewhere inside the generated code.
    let output_type: Type = match &function.sig.output {
        ReturnType::Default => syn::parse_quote!(()),
        ReturnType::Type(_, ty) => (**ty).clone(),
    };
    // `impl Trait` cannot be named there, and `!` only on nightly.
    let pin_body = if matches!(output_type, Type::ImplTrait(_) | Type::Never(_)) {
        quote! {}
    } else {
        quote_spanned! {body_span=>
            let body: ::core::pin::Pin<&mut dyn ::core::future::Future<Output = #output_type>> =
                body;
        }
    };

    let build = match config.flavor {
        Flavor::Local => quote! { build_local(::core::default::Default::default()) },
        Flavor::MultiThread | Flavor::CurrentThread => quote! { build() },
    };
    let runtime = quote! {
        #builder
            .enable_all()
            .#build
            .unwrap_or_else(|error| ::core::panic!(#failure, error))
    };
    let run = match config.graceful_shutdown_millis {
        None => quote_spanned! {body_span=> #runtime.block_on(body) },
        Some(millis) => quote_spanned! {body_span=>
            #crate_path::__private::block_on_with_graceful_shutdown(
                #runtime,
                ::core::time::Duration::from_millis(#millis),
                body,
            )
        },
    };
    let new_block = quote_spanned! {body_span=>
        {
            let body = async #body;
            let body = ::core::pin::pin!(body);
            #pin_body
            #run
        }
    };
    let new_block: syn::Block = match syn::parse2(new_block) {
        Ok(block) => block,
        Err(error) => return error.to_compile_error(),
    };
    *function.block = new_block;

    let test_attribute = match kind {
        Kind::Test => quote! { #[::core::prelude::v1::test] },
        Kind::Main => quote! {},
    };
    quote! {
        #test_attribute
        #function
    }
}
