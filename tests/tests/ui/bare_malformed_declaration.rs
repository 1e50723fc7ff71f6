alien::define_c_function! {
    #![library("m")]
    #![alien(bare)]
    pub unsafe static cos: f64;
    pub unsafe fn 42(x: f64) -> f64;
    pub unsafe fn sin(x: f64) f64;
    pub unsafe fn tan;
}

fn main() {}
