//! Which device a model runs on, chosen at run time: `auto` (a GPU when this build
//! has one and the machine too, else the CPU), `cpu`, `cuda` or `cuda:N`, `metal`.

use std::fmt;
use std::str::FromStr;

use candle_core::Device;

use crate::error::{ModelError, Result};

#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub enum DeviceChoice {
    #[default]
    Auto,
    Cpu,
    /// The CUDA device with this ordinal.
    Cuda(usize),
    Metal,
}

impl DeviceChoice {
    /// The choices a user picks from, in the order a menu shows them.
    pub const MENU: [DeviceChoice; 4] =
        [DeviceChoice::Auto, DeviceChoice::Cpu, DeviceChoice::Cuda(0), DeviceChoice::Metal];

    /// The device, or why it cannot be had: not in this build, or not on this machine.
    pub fn open(self) -> Result<Device> {
        let unavailable = |what: &str, why: String| ModelError::Device(format!("no {what} device: {why}"));
        match self {
            DeviceChoice::Cpu => Ok(Device::Cpu),
            DeviceChoice::Cuda(ordinal) => {
                if !cfg!(feature = "cuda") {
                    return Err(unavailable(
                        "CUDA",
                        "this build has no CUDA support (build with --features cuda)".into(),
                    ));
                }
                Device::new_cuda(ordinal).map_err(|e| unavailable(&format!("cuda:{ordinal}"), e.to_string()))
            }
            DeviceChoice::Metal => {
                if !cfg!(feature = "metal") {
                    return Err(unavailable(
                        "Metal",
                        "this build has no Metal support (build with --features metal)".into(),
                    ));
                }
                Device::new_metal(0).map_err(|e| unavailable("Metal", e.to_string()))
            }
            DeviceChoice::Auto => {
                if cfg!(feature = "cuda")
                    && candle_core::utils::cuda_is_available()
                    && let Ok(device) = Device::new_cuda(0)
                {
                    return Ok(device);
                }
                if cfg!(feature = "metal")
                    && candle_core::utils::metal_is_available()
                    && let Ok(device) = Device::new_metal(0)
                {
                    return Ok(device);
                }
                Ok(Device::Cpu)
            }
        }
    }
}

/// How a device is named to the user: `cpu`, `cuda:0`, `metal`.
pub fn describe(device: &Device) -> String {
    match device.location() {
        candle_core::DeviceLocation::Cpu => "cpu".into(),
        candle_core::DeviceLocation::Cuda { gpu_id } => format!("cuda:{gpu_id}"),
        candle_core::DeviceLocation::Metal { gpu_id } => {
            if gpu_id == 0 {
                "metal".into()
            } else {
                format!("metal:{gpu_id}")
            }
        }
    }
}

impl fmt::Display for DeviceChoice {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            DeviceChoice::Auto => f.write_str("auto"),
            DeviceChoice::Cpu => f.write_str("cpu"),
            DeviceChoice::Cuda(0) => f.write_str("cuda"),
            DeviceChoice::Cuda(n) => write!(f, "cuda:{n}"),
            DeviceChoice::Metal => f.write_str("metal"),
        }
    }
}

impl FromStr for DeviceChoice {
    type Err = String;

    fn from_str(s: &str) -> std::result::Result<Self, String> {
        match s.trim().to_ascii_lowercase().as_str() {
            "auto" => Ok(DeviceChoice::Auto),
            "cpu" => Ok(DeviceChoice::Cpu),
            "cuda" | "gpu" => Ok(DeviceChoice::Cuda(0)),
            "metal" | "mps" => Ok(DeviceChoice::Metal),
            other => other
                .strip_prefix("cuda:")
                .and_then(|n| n.parse().ok())
                .map(DeviceChoice::Cuda)
                .ok_or_else(|| format!("unknown device {s:?}: auto, cpu, cuda, cuda:N or metal")),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn devices_read_and_print_the_same_way() {
        for (text, choice) in [
            ("auto", DeviceChoice::Auto),
            ("cpu", DeviceChoice::Cpu),
            ("cuda", DeviceChoice::Cuda(0)),
            ("cuda:2", DeviceChoice::Cuda(2)),
            ("metal", DeviceChoice::Metal),
        ] {
            assert_eq!(text.parse::<DeviceChoice>(), Ok(choice));
            assert_eq!(choice.to_string(), text);
        }
        assert_eq!("CUDA:0".parse::<DeviceChoice>(), Ok(DeviceChoice::Cuda(0)));
        assert!("cuda:x".parse::<DeviceChoice>().unwrap_err().contains("auto, cpu"));
        assert!("tpu".parse::<DeviceChoice>().is_err());
    }

    #[test]
    fn the_cpu_is_always_there_and_auto_falls_back_to_it() {
        assert!(DeviceChoice::Cpu.open().unwrap().is_cpu());
        let auto = DeviceChoice::Auto.open().unwrap();
        if !cfg!(any(feature = "cuda", feature = "metal")) {
            assert!(auto.is_cpu());
        }
        assert_eq!(describe(&Device::Cpu), "cpu");
    }

    #[test]
    fn a_device_this_build_lacks_is_a_clear_error() {
        if !cfg!(feature = "cuda") {
            let err = DeviceChoice::Cuda(0).open().unwrap_err().to_string();
            assert!(err.contains("no CUDA device") && err.contains("--features cuda"), "{err}");
        }
        if !cfg!(feature = "metal") {
            let err = DeviceChoice::Metal.open().unwrap_err().to_string();
            assert!(err.contains("--features metal"), "{err}");
        }
    }
}
