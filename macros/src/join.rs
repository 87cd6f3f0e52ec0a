//! `join!` and `try_join!`: poll several futures concurrently inside the calling task.
//!
//! Each future is pinned on the stack of the enclosing `async` block and polled from
//! one `poll_fn`; its output is parked in an `Option` beside it until every future is
//! done. The futures stay in place (and are dropped) when the macro's block ends, so
//! `try_join!` drops the unfinished ones as soon as it returns the first error.
//!
//! Unless `biased;` is given, each poll starts one future further along than the
//! previous one. Every future is still polled on every wake-up, but the one polled
//! first is the one that gets the cooperative budget when it is short, so rotating
//! keeps one busy future from starving the others.
//!
//! Internal names carry `Span::mixed_site()`, so the user's expressions cannot see
//! (or shadow) them.

use proc_macro2::{Span, TokenStream};
use quote::{format_ident, quote, quote_spanned};
use syn::parse::{Parse, ParseStream};
use syn::punctuated::Punctuated;
use syn::{Expr, Token};

use crate::CratePath;

#[derive(Clone, Copy, PartialEq, Eq)]
pub(crate) enum Mode {
    Join,
    TryJoin,
}

struct JoinInput {
    crate_path: TokenStream,
    biased: bool,
    futures: Vec<Expr>,
}

impl Parse for JoinInput {
    fn parse(input: ParseStream<'_>) -> syn::Result<Self> {
        let CratePath(crate_path) = input.parse()?;
        let biased = parse_biased(input)?;
        let futures = Punctuated::<Expr, Token![,]>::parse_terminated(input)?
            .into_iter()
            .collect();
        Ok(JoinInput {
            crate_path,
            biased,
            futures,
        })
    }
}

/// Consumes a leading `biased;`, as in tokio.
pub(crate) fn parse_biased(input: ParseStream<'_>) -> syn::Result<bool> {
    let fork = input.fork();
    let is_biased = fork
        .parse::<syn::Ident>()
        .is_ok_and(|ident| ident == "biased")
        && fork.peek(Token![;]);
    if is_biased {
        input.parse::<syn::Ident>()?;
        input.parse::<Token![;]>()?;
    }
    Ok(is_biased)
}

pub(crate) fn expand(mode: Mode, input: TokenStream) -> TokenStream {
    match syn::parse2::<JoinInput>(input) {
        Ok(input) => generate(mode, &input),
        Err(error) => error.to_compile_error(),
    }
}

fn generate(mode: Mode, input: &JoinInput) -> TokenStream {
    let hygienic = Span::mixed_site();
    let count = input.futures.len();
    if count == 0 {
        return match mode {
            Mode::Join => quote! { () },
            Mode::TryJoin => quote! { ::core::result::Result::Ok(()) },
        };
    }
    let crate_path = &input.crate_path;
    let futures: Vec<_> = (0..count)
        .map(|index| format_ident!("future_{}", index, span = hygienic))
        .collect();
    let outputs: Vec<_> = (0..count)
        .map(|index| format_ident!("output_{}", index, span = hygienic))
        .collect();
    let expressions = &input.futures;
    let indices = 0..count;

    let store_output = match mode {
        Mode::Join => quote_spanned! {hygienic=> ::core::option::Option::Some(value) },
        Mode::TryJoin => quote_spanned! {hygienic=>
            match value {
                ::core::result::Result::Ok(value) => ::core::option::Option::Some(value),
                ::core::result::Result::Err(error) => {
                    return ::core::task::Poll::Ready(::core::result::Result::Err(error));
                }
            }
        },
    };
    let all_outputs = quote_spanned! {hygienic=>
        ( #( #crate_path::__private::take_join_output(&mut #outputs), )* )
    };
    let finished = match mode {
        Mode::Join => all_outputs,
        Mode::TryJoin => quote_spanned! {hygienic=> ::core::result::Result::Ok(#all_outputs) },
    };
    let (rotation_state, first) = if input.biased {
        (quote! {}, quote_spanned! {hygienic=> 0 })
    } else {
        (
            quote_spanned! {hygienic=> let mut next_first: usize = 0; },
            quote_spanned! {hygienic=>
                {
                    let first = next_first;
                    next_first += 1;
                if next_first == #count {
                    next_first = 0;
                }
                    first
                }
            },
        )
    };

    quote_spanned! {hygienic=>
        {
            #(
                let mut #futures = ::core::pin::pin!(
                    ::core::future::IntoFuture::into_future(#expressions)
                );
                let mut #outputs = ::core::option::Option::None;
            )*
            #rotation_state
            ::core::future::poll_fn(|cx| {
                let first: usize = #first;
                let mut all_done = true;
                // From `first` to the end, then from the start up to `first`.
                for branch in (first..#count).chain(0..first) {
                    match branch {
                        #(
                            #indices => {
                                if #outputs.is_none() {
                                    match ::core::future::Future::poll(
                                        ::core::pin::Pin::as_mut(&mut #futures),
                                        cx,
                                    ) {
                                        ::core::task::Poll::Ready(value) => {
                                            #outputs = #store_output;
                                        }
                                        ::core::task::Poll::Pending => all_done = false,
                                    }
                                }
                            }
                        )*
                        _ => ::core::unreachable!(),
                    }
                }
                if !all_done {
                    return ::core::task::Poll::Pending;
                }
                ::core::task::Poll::Ready(#finished)
            })
            .await
        }
    }
}
