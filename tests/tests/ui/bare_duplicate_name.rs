alien::define_c_function! {
    #![library("m")]
    #![alien(bare)]
    pub unsafe fn cos(x: f64) -> f64;
    pub unsafe fn r#cos(x: f64) -> f64;
}

fn main() {}
