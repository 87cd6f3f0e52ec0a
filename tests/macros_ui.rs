//! Compile-fail tests: bad macro arguments are compile errors that point at the
//! argument at fault. The expected messages are the `.stderr` files beside each case
//! in `tests/ui/`; regenerate them with `TRYBUILD=overwrite` and review the diff.

#[test]
fn bad_macro_arguments_are_compile_errors_at_the_argument() {
    let cases = trybuild::TestCases::new();
    cases.compile_fail("tests/ui/*.rs");
}
