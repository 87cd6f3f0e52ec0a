async fn two_else() -> u32 {
    spindle::select! {
        a = async { 1 } => a,
        else => 2,
        else => 3,
    }
}

fn main() {}
