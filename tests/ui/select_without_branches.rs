async fn nothing() {
    spindle::select! {}
}

fn main() {}
