alien::define_c_function! {
    #![library("m")]
    #![library("c")]
    #![alien(bare)]
    pub unsafe fn cos(x: f64) -> f64;
}

fn main() {}
