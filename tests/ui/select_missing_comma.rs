async fn missing_comma() -> u32 {
    spindle::select! {
        a = async { 1 } => a
        b = async { 2 } => b,
    }
}

fn main() {}
