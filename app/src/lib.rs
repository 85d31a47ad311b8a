//! The `vidence` application: the eframe GUI and the command line. Domain logic lives
//! in the `viewer` and `annotate` crates; this crate wires them to people.

pub mod ask;
pub mod bench;
pub mod cli;
pub mod control;
pub mod convert;
pub mod demo;
pub mod evaluate;
pub mod gui;
pub mod judge;
pub mod model_cli;
pub mod predict;
pub mod render;
pub mod report;
pub mod runs;
pub mod videos;
