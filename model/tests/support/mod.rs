//! Helpers shared by the model's tests.
pub mod published;
