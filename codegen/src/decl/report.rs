//! Errors collected across a whole invocation and reported together.

use proc_macro2::TokenStream;
use std::fmt::Display;

/// Every diagnostic of one macro invocation.
#[derive(Default)]
pub struct Errors {
    list: Vec<syn::Error>,
}

impl Errors {
    /// An empty collection.
    pub fn new() -> Self {
        Errors::default()
    }

    /// Records an error spanning `tokens`.
    pub fn error(&mut self, tokens: impl quote::ToTokens, message: impl Display) {
        self.list.push(syn::Error::new_spanned(tokens, message));
    }

    /// Records an error from the parser.
    pub fn push(&mut self, e: syn::Error) {
        self.list.push(e);
    }

    /// Whether nothing was reported.
    pub fn is_empty(&self) -> bool {
        self.list.is_empty()
    }

    /// `Ok(())` if empty, else every error as `compile_error!` tokens.
    pub fn finish(self) -> Result<(), TokenStream> {
        if self.list.is_empty() {
            return Ok(());
        }
        Err(self
            .list
            .into_iter()
            .map(|e| e.to_compile_error())
            .collect())
    }
}

impl Errors {
    /// How many errors so far.
    pub fn len(&self) -> usize {
        self.list.len()
    }
}
