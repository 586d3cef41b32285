//! What each Score resource type becomes in plat.
//!
//! Invariants: this table is the whole mapping, and docs/score.md prints it: a Score
//! type is either an offering of the standard library (with the Score output names it
//! accepts and the plat outputs they become), one of the few types plat expresses
//! without a resource (`dns`, `service-port`), or refused with a reason. The offerings'
//! outputs and params named here are the standard library's (a test holds them in step).

/// How a Score resource type is carried over.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Mapping {
    /// A resource of a standard library offering.
    Offering(&'static Offering),
    /// A host name under the environment's domain: no resource, its `host` output
    /// becomes `"${self.name}.${env.domain}"`.
    Dns,
    /// A call to another workload: `calls = [W]`, its outputs become `W.host` …
    ServicePort,
    /// No counterpart in plat: why, and what to do instead.
    Refused(&'static str),
}

/// A standard library offering, and how Score names map onto it.
#[derive(Debug, PartialEq, Eq)]
pub struct Offering {
    /// The offering's name in `std`.
    pub name: &'static str,
    /// The offering's outputs, each with the Score names that mean it (its own name
    /// always does).
    pub outputs: &'static [(&'static str, &'static [&'static str])],
    /// The offering's params that a Score `params` may set.
    pub params: &'static [&'static str],
    /// A required param that Score never sets, filled from the resource's name
    /// (made a SQL identifier).
    pub named_param: Option<&'static str>,
}

impl Offering {
    /// The plat output that the Score output `name` means.
    pub fn output(&self, name: &str) -> Option<&'static str> {
        self.outputs
            .iter()
            .find(|(output, aliases)| *output == name || aliases.contains(&name))
            .map(|(output, _)| *output)
    }

    /// The Score output names this offering accepts, for help texts.
    pub fn output_names(&self) -> Vec<&'static str> {
        let mut names: Vec<&'static str> = self
            .outputs
            .iter()
            .flat_map(|(output, aliases)| std::iter::once(*output).chain(aliases.iter().copied()))
            .collect();
        names.sort_unstable();
        names
    }
}

const SQL_OUTPUTS: &[(&str, &[&str])] = &[
    ("host", &[]),
    ("port", &[]),
    ("database", &["name"]),
    ("username", &["user"]),
    ("password", &[]),
    ("tls", &[]),
    ("url", &[]),
];

pub static POSTGRES: Offering = Offering {
    name: "postgres",
    outputs: SQL_OUTPUTS,
    params: &["database", "username", "engine_version", "size"],
    named_param: Some("database"),
};

pub static MYSQL: Offering = Offering {
    name: "mysql",
    outputs: SQL_OUTPUTS,
    params: &["database", "username", "engine_version", "size"],
    named_param: Some("database"),
};

pub static REDIS: Offering = Offering {
    name: "redis",
    outputs: &[("host", &[]), ("port", &[]), ("tls", &[]), ("url", &[])],
    params: &["size", "eviction"],
    named_param: None,
};

pub static BUCKET: Offering = Offering {
    name: "bucket",
    outputs: &[("name", &["bucket"]), ("region", &[]), ("endpoint", &[])],
    params: &["versioned", "public_read"],
    named_param: None,
};

pub static QUEUE: Offering = Offering {
    name: "queue",
    outputs: &[("name", &[]), ("url", &[])],
    params: &[
        "fifo",
        "visibility_timeout_seconds",
        "retention_seconds",
        "max_receives",
    ],
    named_param: None,
};

pub static ROUTE: Offering = Offering {
    name: "route",
    outputs: &[("host", &[]), ("url", &[])],
    params: &["host", "path", "port"],
    named_param: None,
};

pub static VOLUME: Offering = Offering {
    name: "volume",
    outputs: &[("id", &[])],
    params: &["size", "performance"],
    named_param: None,
};

/// Every offering the importer uses, for the test that holds them in step with `std`.
pub static ALL: &[&Offering] = &[&POSTGRES, &MYSQL, &REDIS, &BUCKET, &QUEUE, &ROUTE, &VOLUME];

/// Outputs typed `port`: interpolated when they stand alone in a string value.
pub fn is_port(output: &str) -> bool {
    output == "port"
}

/// The mapping of a Score resource type.
pub fn mapping(score_type: &str) -> Mapping {
    match score_type {
        "postgres" | "postgresql" => Mapping::Offering(&POSTGRES),
        "mysql" => Mapping::Offering(&MYSQL),
        "redis" => Mapping::Offering(&REDIS),
        "s3" => Mapping::Offering(&BUCKET),
        "amqp" => Mapping::Offering(&QUEUE),
        "route" => Mapping::Offering(&ROUTE),
        "volume" => Mapping::Offering(&VOLUME),
        "dns" => Mapping::Dns,
        "service-port" => Mapping::ServicePort,
        "environment" => Mapping::Refused(
            "plat workloads are written once for every environment: write the value in \
             `variables` (use `if env.name == ...` in the .plat file for a value that \
             differs), or an `external_secret` for a secret",
        ),
        _ => Mapping::Refused(""),
    }
}

/// The Score types that map to something, for the help of a refused type.
pub const SUPPORTED: &str = "postgres, mysql, redis, s3, amqp, route, volume, dns and service-port";

#[cfg(test)]
mod tests {
    use super::*;

    /// The offering-level lines (`  output host: string`) of a standard library file.
    fn declared(offering: &str, keyword: &str) -> Vec<String> {
        let (_, text) = crate::stdlib::FILES
            .iter()
            .find(|(path, _)| path.ends_with(&format!("{offering}.plat")))
            .unwrap_or_else(|| panic!("std has no `{offering}`"));
        let prefix = format!("  {keyword} ");
        text.lines()
            .filter_map(|line| line.strip_prefix(&prefix))
            .filter_map(|rest| rest.split(':').next())
            .map(|name| name.trim().to_string())
            .collect()
    }

    #[test]
    fn the_table_names_only_what_the_standard_library_declares() {
        for offering in ALL {
            let outputs = declared(offering.name, "output");
            for (output, _) in offering.outputs {
                assert!(
                    outputs.iter().any(|o| o == output),
                    "std.{} has no output `{output}`",
                    offering.name
                );
            }
            let params = declared(offering.name, "param");
            for param in offering.params {
                assert!(
                    params.iter().any(|p| p == param),
                    "std.{} has no param `{param}`",
                    offering.name
                );
            }
            for output in &outputs {
                assert!(
                    offering.outputs.iter().any(|(o, _)| o == output),
                    "std.{}'s output `{output}` is missing from the table",
                    offering.name
                );
            }
        }
    }
}
