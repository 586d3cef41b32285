//! The Job of a workload with `job`, and the CronJob of one with `schedule`.
//!
//! Invariants: the pods are the workload's ([`super::workload_pod`]), restarted as its
//! `restart` says; every setting the model decides is written, Kubernetes' defaults
//! included, so that what runs is what the source says. A Job's pod template cannot
//! change once the Job exists, so a Job is named after its workload and the first
//! eight hex digits of the sha256 of its spec (`report-1a2b3c4d`): a changed job is a
//! new Job, which applying the output creates, rather than an update the API server
//! refuses. A CronJob is named after its workload, like a Deployment: its Jobs are
//! made from its template at each run.

use serde::Serialize;

use crate::resolve::model::{self, ResolvedWorkload, Schedule};

use super::context::Context;
use super::meta::App;
use super::object::{Object, Spec};
use super::pod::PodTemplate;
use super::{workload_pod, yaml};

pub(super) type Job<'a> = Object<'a, JobSpec<'a>>;
pub(super) type CronJob<'a> = Object<'a, CronJobSpec<'a>>;

impl Spec for JobSpec<'_> {
    const API_VERSION: &'static str = "batch/v1";
    const KIND: &'static str = "Job";
}

impl Spec for CronJobSpec<'_> {
    const API_VERSION: &'static str = "batch/v1";
    const KIND: &'static str = "CronJob";
}

#[derive(Debug, Serialize)]
#[serde(rename_all = "camelCase")]
pub(super) struct JobSpec<'a> {
    pub active_deadline_seconds: Option<u32>,
    pub backoff_limit: u32,
    pub completions: Option<u32>,
    pub parallelism: u32,
    pub template: PodTemplate<'a>,
    pub ttl_seconds_after_finished: Option<u32>,
}

#[derive(Debug, Serialize)]
#[serde(rename_all = "camelCase")]
pub(super) struct CronJobSpec<'a> {
    pub concurrency_policy: &'static str,
    pub failed_jobs_history_limit: u32,
    pub job_template: JobTemplate<'a>,
    pub schedule: &'a str,
    pub starting_deadline_seconds: Option<u32>,
    pub successful_jobs_history_limit: u32,
    pub suspend: bool,
    pub time_zone: Option<&'a str>,
}

#[derive(Debug, Serialize)]
pub(super) struct JobTemplate<'a> {
    pub spec: JobSpec<'a>,
}

/// How many hex digits of the spec's hash a Job's name carries.
const HASH_DIGITS: usize = 8;

/// The spec of the Jobs of `workload`, run as `job` says.
fn spec<'a>(
    context: &Context<'a>,
    app: &App<'a>,
    workload: &'a ResolvedWorkload,
    job: &model::Job,
    config_checksum: Option<String>,
) -> JobSpec<'a> {
    JobSpec {
        active_deadline_seconds: job.active_deadline,
        backoff_limit: job.backoff_limit,
        completions: job.completions,
        parallelism: job.parallelism,
        template: workload_pod::template(context, app, workload, config_checksum),
        ttl_seconds_after_finished: job.ttl_after_finished,
    }
}

/// The Job of `workload`, named after it and its spec's hash.
pub(super) fn job<'a>(
    context: &Context<'a>,
    app: &App<'a>,
    workload: &'a ResolvedWorkload,
    job: &model::Job,
    config_checksum: Option<String>,
) -> Job<'a> {
    let spec = spec(context, app, workload, job, config_checksum);
    let hash = crate::emit::sha256_hex(yaml::to_string(&spec).as_bytes());
    let name = format!("{}-{}", workload.name, &hash[..HASH_DIGITS]);
    Object::new(app.metadata(context, name, &workload.source), spec)
}

/// The CronJob of `workload`, which starts a Job as `job` says when `schedule` says.
pub(super) fn cron_job<'a>(
    context: &Context<'a>,
    app: &App<'a>,
    workload: &'a ResolvedWorkload,
    schedule: &'a Schedule,
    job: &model::Job,
    config_checksum: Option<String>,
) -> CronJob<'a> {
    let spec = CronJobSpec {
        concurrency_policy: schedule.concurrency.name(),
        failed_jobs_history_limit: schedule.failed_history,
        job_template: JobTemplate {
            spec: spec(context, app, workload, job, config_checksum),
        },
        schedule: &schedule.cron,
        starting_deadline_seconds: schedule.starting_deadline,
        successful_jobs_history_limit: schedule.successful_history,
        suspend: schedule.suspend,
        time_zone: schedule.time_zone.as_deref(),
    };
    Object::new(app.metadata(context, app.name, &workload.source), spec)
}
