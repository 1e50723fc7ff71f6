alien::define_c_function! {
    #![alien(bare)]
    pub unsafe fn takes_unknown(x: NoSuchType) -> i32;
}

fn main() {}
