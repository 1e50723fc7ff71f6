alien::define_c_function! {
    #![alien(bare)]
    #![link(name = "m")]
    pub unsafe fn cos(x: f64) -> f64;
}

fn main() {}
