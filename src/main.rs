fn main() {
    println!("acikkapi");
}
