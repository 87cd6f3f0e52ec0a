//! spindle-executor.
