//! What Kubernetes accepts: object names, label keys and values, port names, the names
//! of environment variables, the keys of ConfigMaps and Secrets, and the paths a
//! container mounts something at.
//!
//! Invariants: these are pure functions of the text, with the rules of the Kubernetes
//! API server's validation (`k8s.io/apimachinery/pkg/util/validation`) and of what the
//! container runtime refuses to mount; they depend on nothing else of the crate, so
//! every layer may use them; an `Err` carries a short reason, lower case, that reads
//! well as a label ("longer than 63 characters").

/// The longest DNS label (RFC 1123), the longest name of most objects.
pub const MAX_LABEL: usize = 63;

/// The longest DNS subdomain: ConfigMap and Secret names, label key prefixes.
pub const MAX_SUBDOMAIN: usize = 253;

/// The longest name of a workload that runs as a Job: plat names its Job after it and
/// a hash of its spec (`report-1a2b3c4d`, 9 characters more), a DNS label.
pub const MAX_JOB_NAME: usize = MAX_LABEL - 9;

/// The longest name of a CronJob: its Jobs are named after it with 11 more characters
/// (`-29012345`), and a Job's name is a label value of its pods.
pub const MAX_CRON_JOB_NAME: usize = 52;

/// The longest name of a port (IANA service name).
pub const MAX_PORT_NAME: usize = 15;

/// Paths that a container may not mount a file or a volume at, with why: plat's own
/// writable `/tmp`, and the file systems the container runtime mounts itself.
const RESERVED_PATHS: &[(&str, &str)] = &[
    ("/", "the root of the container's file system"),
    (
        "/tmp",
        "plat mounts its own writable scratch space at `/tmp`",
    ),
    ("/dev", "the container runtime mounts `/dev` itself"),
    ("/proc", "the container runtime mounts `/proc` itself"),
    ("/sys", "the container runtime mounts `/sys` itself"),
];

/// A DNS label (RFC 1123): lower-case letters, digits and `-`, starting and ending
/// with a letter or digit, at most 63 characters. Namespaces, container names.
pub fn dns_label(text: &str) -> Result<(), String> {
    if text.is_empty() {
        return Err("the name is empty".to_string());
    }
    if text.len() > MAX_LABEL {
        return Err(format!("longer than {MAX_LABEL} characters"));
    }
    let valid = text
        .chars()
        .all(|c| c.is_ascii_lowercase() || c.is_ascii_digit() || c == '-');
    if !valid {
        return Err("only lower-case letters, digits and `-` are allowed".to_string());
    }
    if text.starts_with('-') || text.ends_with('-') {
        return Err("cannot start or end with `-`".to_string());
    }
    Ok(())
}

/// A DNS label that starts with a letter (RFC 1035): what a Service's name must be,
/// and so the name of every workload, whose Service carries its name.
pub fn service_name(text: &str) -> Result<(), String> {
    dns_label(text)?;
    if text.starts_with(|c: char| c.is_ascii_digit()) {
        return Err("must start with a letter".to_string());
    }
    Ok(())
}

/// The name of a workload that runs as a Job: a Service's name (the workload may
/// become a service), at most [`MAX_JOB_NAME`] characters.
pub fn job_name(text: &str) -> Result<(), String> {
    service_name(text)?;
    if text.len() > MAX_JOB_NAME {
        return Err(format!(
            "longer than {MAX_JOB_NAME} characters: its Job is named `{text}-HASH`"
        ));
    }
    Ok(())
}

/// The name of a workload that runs as a CronJob: a Service's name, at most
/// [`MAX_CRON_JOB_NAME`] characters.
pub fn cron_job_name(text: &str) -> Result<(), String> {
    service_name(text)?;
    if text.len() > MAX_CRON_JOB_NAME {
        return Err(format!(
            "longer than {MAX_CRON_JOB_NAME} characters, the most a CronJob's name may have"
        ));
    }
    Ok(())
}

/// A DNS subdomain (RFC 1123): DNS labels joined with `.`, at most 253 characters.
pub fn dns_subdomain(text: &str) -> Result<(), String> {
    if text.len() > MAX_SUBDOMAIN {
        return Err(format!("longer than {MAX_SUBDOMAIN} characters"));
    }
    text.split('.').try_for_each(dns_label)
}

/// The name part of a label key or an annotation key, and a label value when it is
/// not empty: letters, digits, `-`, `_` and `.`, starting and ending with a letter or
/// digit, at most 63 characters.
fn label_name(text: &str) -> Result<(), String> {
    if text.len() > MAX_LABEL {
        return Err(format!("longer than {MAX_LABEL} characters"));
    }
    let valid = text
        .chars()
        .all(|c| c.is_ascii_alphanumeric() || matches!(c, '-' | '_' | '.'));
    if !valid {
        return Err("only letters, digits, `-`, `_` and `.` are allowed".to_string());
    }
    let edge = |c: Option<char>| c.is_some_and(|c| c.is_ascii_alphanumeric());
    if !edge(text.chars().next()) || !edge(text.chars().next_back()) {
        return Err("must start and end with a letter or a digit".to_string());
    }
    Ok(())
}

/// A label value: empty, or a [`label_name`].
pub fn label_value(text: &str) -> Result<(), String> {
    if text.is_empty() {
        return Ok(());
    }
    label_name(text)
}

/// A label key or an annotation key: `name` or `prefix/name`, where the prefix is a
/// DNS subdomain (`app.kubernetes.io/name`).
pub fn qualified_name(text: &str) -> Result<(), String> {
    let name = match text.split_once('/') {
        Some((prefix, name)) => {
            if prefix.is_empty() {
                return Err("the prefix before `/` is empty".to_string());
            }
            dns_subdomain(prefix).map_err(|reason| format!("the prefix: {reason}"))?;
            name
        }
        None => text,
    };
    if name.is_empty() {
        return Err("the name is empty".to_string());
    }
    label_name(name)
}

/// The name of a container port (an IANA service name): lower-case letters, digits
/// and `-`, at least one letter, no `-` at either end or twice in a row, at most 15
/// characters.
pub fn port_name(text: &str) -> Result<(), String> {
    if text.is_empty() {
        return Err("the name is empty".to_string());
    }
    if text.len() > MAX_PORT_NAME {
        return Err(format!("longer than {MAX_PORT_NAME} characters"));
    }
    let valid = text
        .chars()
        .all(|c| c.is_ascii_lowercase() || c.is_ascii_digit() || c == '-');
    if !valid {
        return Err("only lower-case letters, digits and `-` are allowed".to_string());
    }
    if !text.chars().any(|c| c.is_ascii_lowercase()) {
        return Err("needs at least one letter".to_string());
    }
    if text.starts_with('-') || text.ends_with('-') || text.contains("--") {
        return Err("`-` cannot start or end it, or come twice in a row".to_string());
    }
    Ok(())
}

/// A key of a ConfigMap or a Secret: letters, digits, `-`, `_` and `.`, at most 253
/// characters, and neither `.`, `..` nor starting with `..`.
pub fn config_key(text: &str) -> Result<(), String> {
    if text.is_empty() {
        return Err("the key is empty".to_string());
    }
    if text.len() > MAX_SUBDOMAIN {
        return Err(format!("longer than {MAX_SUBDOMAIN} characters"));
    }
    let valid = text
        .chars()
        .all(|c| c.is_ascii_alphanumeric() || matches!(c, '-' | '_' | '.'));
    if !valid {
        return Err("only letters, digits, `-`, `_` and `.` are allowed".to_string());
    }
    if text == "." || text.starts_with("..") {
        return Err("cannot be `.` or start with `..`".to_string());
    }
    Ok(())
}

/// The name of an environment variable: letters, digits, `-`, `_` and `.`, not
/// starting with a digit; and, since a secret one is delivered as the key of a
/// Secret, a valid [`config_key`].
pub fn env_name(text: &str) -> Result<(), String> {
    if text.is_empty() {
        return Err("the name is empty".to_string());
    }
    if text.starts_with(|c: char| c.is_ascii_digit()) {
        return Err("cannot start with a digit".to_string());
    }
    if let Some(c) = text
        .chars()
        .find(|c| !(c.is_ascii_alphanumeric() || matches!(c, '-' | '_' | '.')))
    {
        return Err(match c {
            '=' => "cannot hold `=`".to_string(),
            c if c.is_whitespace() => "cannot hold a space".to_string(),
            _ => "only letters, digits, `_`, `-` and `.` are allowed".to_string(),
        });
    }
    config_key(text)
}

/// A path a container mounts a file or a volume at: absolute, without empty, `.` or
/// `..` segments, at most 4096 bytes, and not one of the paths the container or plat
/// mount themselves (`/tmp`, `/dev`, `/sys`, `/proc` and below it).
pub fn mount_path(text: &str) -> Result<(), String> {
    if !text.starts_with('/') {
        return Err("not an absolute path".to_string());
    }
    if text.len() > 4096 {
        return Err("longer than 4096 bytes".to_string());
    }
    let trimmed = if text.len() > 1 {
        text.strip_suffix('/').unwrap_or(text)
    } else {
        text
    };
    let segments: Vec<&str> = trimmed.split('/').skip(1).collect();
    if trimmed != "/" && segments.iter().any(|segment| segment.is_empty()) {
        return Err("has an empty segment (`//`)".to_string());
    }
    if segments
        .iter()
        .any(|segment| *segment == "." || *segment == "..")
    {
        return Err("has a `.` or `..` segment".to_string());
    }
    if text.contains('\0') {
        return Err("holds a NUL character".to_string());
    }
    if let Some((_, why)) = RESERVED_PATHS.iter().find(|(path, _)| *path == trimmed) {
        return Err(format!("reserved: {why}"));
    }
    if trimmed.starts_with("/proc/") {
        return Err("reserved: the container runtime mounts `/proc` itself".to_string());
    }
    Ok(())
}

/// `name` made into a DNS label that starts with a letter, when it has any letter or
/// digit: lower case, every run of other characters a `-`, cut to 63 characters.
/// `My_Api` → `my-api`; empty when nothing is left.
pub fn to_dns_label(name: &str) -> String {
    to_dns_label_within(name, MAX_LABEL)
}

/// [`to_dns_label`], cut to `most` characters.
pub fn to_dns_label_within(name: &str, most: usize) -> String {
    let mut label = String::new();
    for c in name.chars() {
        if c.is_ascii_alphanumeric() {
            label.push(c.to_ascii_lowercase());
        } else if !label.is_empty() && !label.ends_with('-') {
            label.push('-');
        }
    }
    let start = label
        .find(|c: char| c.is_ascii_lowercase())
        .unwrap_or(label.len());
    let cut: String = label[start..].chars().take(most).collect();
    cut.trim_end_matches('-').to_string()
}

/// `name` made into a label value: every character that a label value cannot hold
/// becomes `-`, the ends are trimmed to a letter or digit, and it is cut to 63
/// characters; `project` when nothing is left. `My Shop` → `My-Shop`.
pub fn to_label_value(name: &str) -> String {
    let replaced: String = name
        .chars()
        .map(|c| {
            if c.is_ascii_alphanumeric() || matches!(c, '-' | '_' | '.') {
                c
            } else {
                '-'
            }
        })
        .collect();
    let cut: String = replaced.chars().take(MAX_LABEL).collect();
    let trimmed = cut.trim_matches(|c: char| !c.is_ascii_alphanumeric());
    if trimmed.is_empty() {
        "project".to_string()
    } else {
        trimmed.to_string()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn dns_labels_and_service_names() {
        assert_eq!(dns_label("shop-prod"), Ok(()));
        assert!(dns_label("Shop").is_err());
        assert!(dns_label("-shop").is_err());
        assert!(dns_label("trailing-").is_err());
        assert!(dns_label("my_api").is_err());
        assert!(dns_label(&"a".repeat(64)).is_err());
        assert_eq!(dns_label(&"a".repeat(63)), Ok(()));
        assert_eq!(dns_label("1st"), Ok(()));
        assert!(service_name("1st").is_err());
        assert_eq!(service_name("api-2"), Ok(()));
    }

    #[test]
    fn names_of_jobs_leave_room_for_what_kubernetes_adds() {
        assert_eq!(job_name(&"a".repeat(54)), Ok(()));
        assert!(job_name(&"a".repeat(55)).is_err());
        assert_eq!(cron_job_name(&"a".repeat(52)), Ok(()));
        assert!(cron_job_name(&"a".repeat(53)).is_err());
        assert!(job_name("1st").is_err());
        assert_eq!(to_dns_label_within("My_Long_Name", 7), "my-long");
    }

    #[test]
    fn label_keys_and_values() {
        assert_eq!(label_value(""), Ok(()));
        assert_eq!(label_value("My_Shop.v1"), Ok(()));
        assert!(label_value("My Shop").is_err());
        assert!(label_value("-x").is_err());
        assert!(label_value(&"a".repeat(64)).is_err());
        assert_eq!(qualified_name("app.kubernetes.io/part-of"), Ok(()));
        assert_eq!(qualified_name("team"), Ok(()));
        assert!(qualified_name("Example.com/team").is_err());
        assert!(qualified_name("/team").is_err());
        assert!(qualified_name("example.com/").is_err());
        assert!(qualified_name("team name").is_err());
    }

    #[test]
    fn port_names() {
        assert_eq!(port_name("http"), Ok(()));
        assert_eq!(port_name("grpc-web"), Ok(()));
        assert!(port_name("HTTP").is_err());
        assert!(port_name("8080").is_err());
        assert!(port_name("a--b").is_err());
        assert!(port_name("metrics-endpoint").is_err());
        assert!(port_name("http_port").is_err());
    }

    #[test]
    fn environment_variables_and_keys() {
        assert_eq!(env_name("DATABASE_URL"), Ok(()));
        assert_eq!(env_name("spring.profiles.active"), Ok(()));
        assert!(env_name("").is_err());
        assert!(env_name("A B").is_err());
        assert!(env_name("X=Y").is_err());
        assert!(env_name("1X").is_err());
        assert!(env_name("..X").is_err());
        assert_eq!(config_key("file.etc.app.yaml"), Ok(()));
        assert!(config_key("..data").is_err());
    }

    #[test]
    fn mount_paths() {
        assert_eq!(mount_path("/etc/app/config.yaml"), Ok(()));
        assert_eq!(mount_path("/data/"), Ok(()));
        assert_eq!(mount_path("/tmp/cache"), Ok(()));
        assert_eq!(mount_path("/dev/shm"), Ok(()));
        assert!(mount_path("data").is_err());
        assert!(mount_path("/etc//a").is_err());
        assert!(mount_path("/etc/../a").is_err());
        assert!(mount_path("/tmp").is_err());
        assert!(mount_path("/tmp/").is_err());
        assert!(mount_path("/").is_err());
        assert!(mount_path("/proc/self").is_err());
    }

    #[test]
    fn names_become_dns_labels() {
        assert_eq!(to_dns_label("My_Api"), "my-api");
        assert_eq!(to_dns_label("trailing-"), "trailing");
        assert_eq!(to_dns_label("1st_api"), "st-api");
        assert_eq!(to_dns_label("__"), "");
        assert_eq!(to_dns_label(&"a".repeat(80)).len(), 63);
    }

    #[test]
    fn names_become_label_values() {
        assert_eq!(to_label_value("My Shop"), "My-Shop");
        assert_eq!(to_label_value("shop"), "shop");
        assert_eq!(to_label_value("  "), "project");
        assert_eq!(to_label_value("école"), "cole");
        assert_eq!(to_label_value(&"a".repeat(80)).len(), 63);
    }
}
