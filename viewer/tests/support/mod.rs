// Each test file uses part of the helpers.
#![allow(dead_code)]

pub mod clips;
