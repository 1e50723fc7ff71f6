alien::define_c_function! {
    #![alien(bare)]
    pub unsafe fn identity<T>(x: T) -> T;
    pub unsafe fn add2(a: i32, b: i32) -> i32
}

fn main() {}
