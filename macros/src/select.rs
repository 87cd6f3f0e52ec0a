//! `select!`: wait on several futures and run the handler of the first one to complete
//! whose output matches its pattern.
//!
//! The expansion follows tokio's order of evaluation:
//!
//! 1. every precondition is evaluated; a false one disables its branch;
//! 2. every future expression is evaluated (disabled ones too) and pinned on the stack;
//! 3. one `poll_fn` polls the enabled futures, starting at a random branch unless
//!    `biased;` was given, so that two always-ready branches each get their turn;
//! 4. a future that completes is disabled (it must not be polled again); if its output
//!    does not match the branch pattern, polling goes on with the next branch;
//! 5. the `poll_fn` returns the winning output tagged with its branch, the futures are
//!    dropped, and only then the handler runs, outside every closure, so `return`,
//!    `break`, `continue`, `?` and `.await` in a handler mean what they mean around the
//!    `select!`, and the handler may use what the futures borrowed;
//! 6. when every branch is disabled, the `else` handler runs, or without one the
//!    `select!` panics.
//!
//! Whether an output matches is checked on a reference to it, with the pattern's
//! `ref` and `mut` binding modifiers removed (they are meaningless there and `mut`
//! would try to move out of the reference); the handler then matches the output itself
//! with the pattern as written.

use proc_macro2::{Span, TokenStream};
use quote::{format_ident, quote, quote_spanned};
use syn::parse::{Parse, ParseStream};
use syn::visit_mut::VisitMut;
use syn::{Expr, Pat, Token};

use crate::join::parse_biased;
use crate::CratePath;

struct Branch {
    pattern: Pat,
    future: Expr,
    precondition: Option<Expr>,
    handler: Expr,
}

struct SelectInput {
    crate_path: TokenStream,
    biased: bool,
    branches: Vec<Branch>,
    else_handler: Option<Expr>,
}

impl Parse for SelectInput {
    fn parse(input: ParseStream<'_>) -> syn::Result<Self> {
        let CratePath(crate_path) = input.parse()?;
        let biased = parse_biased(input)?;
        let mut branches = Vec::new();
        let mut else_handler = None;
        while !input.is_empty() {
            if input.peek(Token![else]) {
                let else_token: Token![else] = input.parse()?;
                input.parse::<Token![=>]>()?;
                let handler = parse_handler(input)?;
                if else_handler.is_some() {
                    return Err(syn::Error::new_spanned(
                        else_token,
                        "select! takes at most one `else` branch",
                    ));
                }
                else_handler = Some(handler);
                continue;
            }
            let pattern = Pat::parse_multi_with_leading_vert(input)?;
            input.parse::<Token![=]>()?;
            let future: Expr = input.parse()?;
            let precondition = if input.peek(Token![,]) && input.peek2(Token![if]) {
                input.parse::<Token![,]>()?;
                input.parse::<Token![if]>()?;
                Some(input.parse::<Expr>()?)
            } else {
                None
            };
            input.parse::<Token![=>]>()?;
            let handler = parse_handler(input)?;
            branches.push(Branch {
                pattern,
                future,
                precondition,
                handler,
            });
        }
        Ok(SelectInput {
            crate_path,
            biased,
            branches,
            else_handler,
        })
    }
}

/// A handler is a block, optionally followed by a comma, or an expression followed by a
/// comma unless it is the last thing in the macro. A block is parsed on its own so that
/// what follows it (a branch pattern like `(a, b)`) is not taken for a call on it.
fn parse_handler(input: ParseStream<'_>) -> syn::Result<Expr> {
    if input.peek(syn::token::Brace) {
        let block: syn::ExprBlock = syn::ExprBlock {
            attrs: Vec::new(),
            label: None,
            block: input.parse()?,
        };
        if input.peek(Token![,]) {
            input.parse::<Token![,]>()?;
        }
        return Ok(Expr::Block(block));
    }
    let handler: Expr = input.parse()?;
    if !input.is_empty() {
        if !input.peek(Token![,]) {
            return Err(syn::Error::new_spanned(
                &handler,
                "expected `,` after this select! handler (a handler that is not a `{ block }` \
                 needs a comma before the next branch)",
            ));
        }
        input.parse::<Token![,]>()?;
    }
    Ok(handler)
}

/// Removes `ref` and `mut` from bindings, for the check against `&output`.
struct StripBindingModes;

impl VisitMut for StripBindingModes {
    fn visit_pat_ident_mut(&mut self, pattern: &mut syn::PatIdent) {
        pattern.by_ref = None;
        pattern.mutability = None;
        syn::visit_mut::visit_pat_ident_mut(self, pattern);
    }
}

pub(crate) fn expand(input: TokenStream) -> TokenStream {
    match syn::parse2::<SelectInput>(input) {
        Ok(input) => generate(input),
        Err(error) => error.to_compile_error(),
    }
}

fn generate(input: SelectInput) -> TokenStream {
    let hygienic = Span::mixed_site();
    let count = input.branches.len();
    if count == 0 {
        return match input.else_handler {
            Some(handler) => quote! { { #handler } },
            None => syn::Error::new(
                Span::call_site(),
                "select! needs at least one `pattern = future => handler` branch",
            )
            .to_compile_error(),
        };
    }
    let crate_path = &input.crate_path;

    let variants: Vec<_> = (0..count)
        .map(|index| format_ident!("Branch{}", index, span = hygienic))
        .collect();
    let type_parameters: Vec<_> = (0..count)
        .map(|index| format_ident!("T{}", index, span = hygienic))
        .collect();
    let evaluated: Vec<_> = (0..count)
        .map(|index| format_ident!("evaluated_{}", index, span = hygienic))
        .collect();
    let indices: Vec<_> = (0..count).collect();
    // SelectFutures::new(into_future(e0), SelectFutures::new(into_future(e1), ()))
    let nested = evaluated
        .iter()
        .rev()
        .fold(quote_spanned! {hygienic=> () }, |tail, evaluated| {
            quote_spanned! {hygienic=>
                #crate_path::__private::SelectFutures::new(
                    ::core::future::IntoFuture::into_future(#evaluated),
                    #tail,
                )
            }
        });
    // Branch i: `tail` i times, then `head`.
    let projections: Vec<_> = (0..count)
        .map(|index| {
            let mut list = quote_spanned! {hygienic=> ::core::pin::Pin::as_mut(&mut futures) };
            for _ in 0..index {
                list =
                    quote_spanned! {hygienic=> #crate_path::__private::SelectFutures::tail(#list) };
            }
            quote_spanned! {hygienic=> #crate_path::__private::SelectFutures::head(#list) }
        })
        .collect();
    let expressions = input.branches.iter().map(|branch| &branch.future);
    let patterns = input.branches.iter().map(|branch| &branch.pattern);
    let handlers = input.branches.iter().map(|branch| &branch.handler);
    let match_checks = input.branches.iter().map(|branch| {
        let mut pattern = branch.pattern.clone();
        StripBindingModes.visit_pat_mut(&mut pattern);
        pattern
    });
    let preconditions = input
        .branches
        .iter()
        .enumerate()
        .filter_map(|(index, branch)| {
            let precondition = branch.precondition.as_ref()?;
            Some(quote_spanned! {hygienic=>
                if !(#precondition) {
                    disabled[#index] = true;
                }
            })
        });

    let first = if input.biased {
        quote_spanned! {hygienic=> 0 }
    } else {
        quote_spanned! {hygienic=> #crate_path::__private::select_first_branch(#count) }
    };
    let all_disabled = match &input.else_handler {
        Some(handler) => quote! { #handler },
        None => quote_spanned! {hygienic=>
            ::core::panic!(
                "select!: all branches are disabled and there is no else branch; add \
                 `else => ...` to handle the case where no branch can complete"
            )
        },
    };

    quote_spanned! {hygienic=>
        {
            enum __SpindleSelectOutput<#(#type_parameters,)*> {
                #( #variants(#type_parameters), )*
                Disabled,
            }
            let mut disabled: [bool; #count] = [false; #count];
            #( #preconditions )*
            #[allow(unused_mut)] // mutable for patterns that bind by `ref mut`
            let mut output = {
                // Evaluated together in one tuple, as tokio does: temporaries in the
                // expressions (`&mut std::future::ready(())`) then live to the end of
                // this block instead of the end of their own statement.
                let ( #( #evaluated, )* ) = ( #( #expressions, )* );
                let mut futures = ::core::pin::pin!(#nested);
                ::core::future::poll_fn(move |cx| {
                    // Out of budget: every spindle future inside would yield anyway.
                    if !#crate_path::task::coop::has_budget_remaining() {
                        cx.waker().wake_by_ref();
                        return ::core::task::Poll::Pending;
                    }
                    let first: usize = #first;
                    let mut any_pending = false;
                    // From `first` to the end, then from the start up to `first`.
                    for branch in (first..#count).chain(0..first) {
                        match branch {
                            #(
                                #indices => {
                                    if disabled[#indices] {
                                        continue;
                                    }
                                    let output = match ::core::future::Future::poll(
                                        #projections,
                                        cx,
                                    ) {
                                        ::core::task::Poll::Ready(output) => output,
                                        ::core::task::Poll::Pending => {
                                            any_pending = true;
                                            continue;
                                        }
                                    };
                                    disabled[#indices] = true;
                                    match &output {
                                        #[allow(unused_variables)]
                                        #match_checks => {}
                                        #[allow(unreachable_patterns)]
                                        _ => continue,
                                    }
                                    return ::core::task::Poll::Ready(
                                        __SpindleSelectOutput::#variants(output),
                                    );
                                }
                            )*
                            _ => ::core::unreachable!(),
                        }
                    }
                    if any_pending {
                        ::core::task::Poll::Pending
                    } else {
                        ::core::task::Poll::Ready(__SpindleSelectOutput::Disabled)
                    }
                })
                .await
            };
            match output {
                #( __SpindleSelectOutput::#variants(#patterns) => #handlers, )*
                __SpindleSelectOutput::Disabled => #all_disabled,
                #[allow(unreachable_patterns)]
                _ => ::core::unreachable!("select!: the output already matched its pattern"),
            }
        }
    }
}
