//! The machine a benchmark ran on, for its printout: the CPU and its cores, from
//! /proc/cpuinfo where there is one.

pub fn machine() -> String {
    let cpu = std::fs::read_to_string("/proc/cpuinfo").ok().and_then(|info| {
        info.lines()
            .find(|l| l.starts_with("model name"))
            .and_then(|l| l.split(':').nth(1))
            .map(|s| s.trim().to_owned())
    });
    let cores = std::thread::available_parallelism().map_or(0, std::num::NonZero::get);
    format!("{}, {cores} cores", cpu.unwrap_or_else(|| std::env::consts::ARCH.to_owned()))
}
