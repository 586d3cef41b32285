//! The registry of diagnostic codes.
//!
//! Invariants: a code, once published, keeps its meaning forever; a retired code is never
//! reused. Every code has an explanation in `codes/<CODE>.md` (shown by `plat explain`),
//! a fixture under `tests/fixtures/diagnostics/` that triggers it, and an entry in
//! `docs/language.md`; tests hold all three in step with this list.

macro_rules! codes {
    ($($code:ident $variant:ident $title:literal,)*) => {
        /// A stable diagnostic code.
        #[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
        pub enum Code {
            $($variant,)*
        }

        impl Code {
            /// Every code, in order.
            pub const ALL: &'static [Code] = &[$(Code::$variant,)*];

            /// The code as users see it: `E0204`.
            pub fn as_str(self) -> &'static str {
                match self {
                    $(Code::$variant => stringify!($code),)*
                }
            }

            /// A short title: what kind of problem this is.
            pub fn title(self) -> &'static str {
                match self {
                    $(Code::$variant => $title,)*
                }
            }

            /// The long explanation, in Markdown, with an example and the fix.
            pub fn explanation(self) -> &'static str {
                match self {
                    $(Code::$variant => include_str!(concat!("codes/", stringify!($code), ".md")),)*
                }
            }
        }
    };
}

codes! {
    // Syntax.
    E0101 UnexpectedToken "unexpected token",
    E0102 UnterminatedString "unterminated string",
    E0103 InvalidCharacter "invalid character",
    E0104 NestingTooDeep "nesting too deep",
    E0105 InvalidEscape "invalid escape sequence",
    E0106 InvalidInterpolation "invalid interpolation",
    E0107 UnterminatedComment "unterminated block comment",
    E0108 IntegerTooLarge "integer literal out of range",
    // Names.
    E0201 UnknownName "unknown name",
    E0202 DuplicateDeclaration "duplicate declaration",
    E0203 UnknownField "unknown field",
    E0204 UnknownOutput "unknown output",
    E0205 UnknownImport "unknown import",
    E0206 UnknownBlock "unknown block",
    E0207 DuplicateField "field set twice",
    E0208 UnknownEnvironment "unknown environment",
    E0209 WrongKindOfName "wrong kind of name",
    W0210 UnusedImport "unused import",
    E0220 InvalidName "name not valid in Kubernetes",
    E0221 InvalidEnvName "invalid environment variable name",
    E0222 InvalidLabel "invalid label or annotation",
    E0223 WaiverWithoutPolicy "waiver of a policy the environment does not hold",
    // Types.
    E0301 TypeMismatch "type mismatch",
    E0302 MissingField "missing required field",
    E0303 OutOfRange "value out of range",
    E0304 NotInEnum "value not allowed",
    E0305 PatternMismatch "string does not match the pattern",
    E0306 InvalidQuantity "malformed quantity",
    E0307 InvalidImage "malformed image reference",
    E0308 InvalidPattern "invalid pattern",
    E0309 MissingOutputMapping "implementation does not provide an output",
    E0310 InvalidVersion "malformed version",
    E0311 InvalidMember "member not allowed here",
    E0312 RecursiveType "recursive type",
    E0313 InvalidProbe "malformed probe or handler",
    E0314 InvalidSchedule "malformed cron schedule",
    E0315 UnknownTimeZone "unknown time zone",
    E0316 FractionalSeconds "duration not in whole seconds",
    E0317 WrongWorkloadKind "field does not apply to this kind of workload",
    E0320 InvalidMountPath "invalid mount path",
    // Secrets and phases.
    E0401 SecretLeak "secret flows into a plain place",
    E0402 SecretLiteral "secret written in source",
    E0403 ProvisionTimeValue "value not known at compile time",
    // Environments: resolution, the resource graph and policies.
    E0601 MissingImplementation "no implementation selected",
    E0602 UnboundParam "parameter without a value",
    E0603 MergedTypeMismatch "merged value has the wrong type",
    E0604 DependencyCycle "dependency cycle",
    E0605 PolicyViolation "policy violated",
    E0606 MissingSharedResource "shared resource not declared",
    E0607 TooManyInstances "too many instances",
    E0608 ReadWriteOnceShared "volume mounted by more pods than its access mode allows",
    E0610 AutoscalingBounds "autoscaler's minimum above its maximum",
    W0611 ReplicasWithAutoscaling "replicas set beside an autoscaler",
    E0612 JobWithoutAddress "a job has no address",
    E0613 PreStopOutlastsGrace "pre-stop hook longer than the grace period",
    E0614 ServicePortTaken "two Service ports on one number",
    E0615 RequestAboveLimit "request above its limit",
    E0616 AddressWithoutCall "address read without a call",
    E0617 UndeclaredPort "port not declared",
    E0618 NameClash "two declarations become one object",
    E0619 KeyClash "two values for one key",
    E0620 NoMatchingArm "no arm of a match matches",
    W0621 PolicyWarning "policy not met",
    W0622 UnusedWaiver "waiver not needed",
    E0623 MountClash "two mounts at one path",
    E0624 PortClash "port declared twice in a pod",
    // Terraform modules: kept in the project, or recorded in a lock of interfaces.
    E0701 UnknownModuleInput "unknown module input",
    E0702 MissingModuleVariable "missing module variable",
    E0703 ModuleInputTypeMismatch "module input has the wrong type",
    E0704 UnknownModuleOutput "unknown module output",
    E0705 InvalidModule "unreadable Terraform module",
    E0706 UnknownModuleInterface "module interface not recorded",
    E0707 InvalidModuleLock "invalid lock of module interfaces",
    // Day two: state, removals, protection.
    E0901 BackendRequired "environment provisions with Terraform but names no backend",
    E0902 LocalStateInOutput "local state inside the build output",
    W0903 DeprecatedSetting "deprecated setting",
    E0904 ProtectedRemoval "protected resource removed",
    E0905 UsesRemoved "uses something removed",
    W0906 RemovalDestroys "removal destroys what Terraform provisioned",
    E0907 StatefulWithoutProtect "stateful offering without a `protect` parameter",
    // Importing Score files.
    E0801 InvalidYaml "not valid YAML",
    E0802 InvalidScore "not a valid Score file",
    E0803 UnknownResourceType "no offering for a Score resource type",
    E0804 UnknownPlaceholder "unknown Score placeholder",
    E0805 ScoreUnsupported "Score feature plat cannot express",
    E0806 UnreadableSource "cannot read a file's source",
    E0807 ImportTargetExists "import would overwrite a file",
    W0808 ScoreDropped "Score field not carried over",
    // Projects and files.
    E0501 Io "cannot read",
    E0502 NotUtf8 "file is not UTF-8",
    E0503 FileTooLarge "file too large",
    E0504 NoSourceFiles "no .plat files",
    E0505 InvalidManifest "invalid plat.toml",
    E0506 OutsideProject "file outside the project",
    // Packages: dependencies, their lock and where they are fetched.
    E0507 UnlockedDependency "dependency not locked",
    E0508 MissingDependency "dependency missing",
    E0509 DependencyHashMismatch "dependency changed since it was fetched",
    E0510 UnreachableDependency "cannot fetch a dependency",
    E0511 UnknownRevision "no such revision",
    E0512 VersionMismatch "no version matches the requirement",
    E0513 VersionConflict "conflicting versions of a package",
    E0514 PackageCycle "cycle between packages",
    E0515 InvalidLock "invalid plat.lock",
    E0516 InvalidDependency "invalid dependency",
    E0517 UnknownPlatform "unknown platform",
    // Applications: the workloads of one repository on the platform of another.
    E1001 ApplicationEnvironment "environment declared by an application",
    E1002 CallerNotAdmitted "call not admitted by the callee",
    E1003 WorkloadNameTaken "workload name taken by another application",
    E1004 CalleeOnAnotherPlatform "callee runs on another platform",
    E1005 PlatformStateUnreadable "platform state an application cannot read",
    // Versions: of offerings, of packages, of the standard library.
    E1006 OfferingVersionMismatch "offering version outside the required range",
    E1007 BreakingChangeWithoutMajor "breaking change without a major version",
    W1008 ChangeWithoutVersion "change without a new version",
    E1009 StdVersionMismatch "standard library outside the required range",
}

impl Code {
    /// Looks a code up by its text, ignoring case: `e0204` finds `E0204`.
    pub fn parse(text: &str) -> Option<Code> {
        Code::ALL
            .iter()
            .copied()
            .find(|code| code.as_str().eq_ignore_ascii_case(text.trim()))
    }

    /// Whether the code is about the project's dependencies: a project with such an
    /// error is not checked further, since what it imports cannot be read.
    pub fn is_about_dependencies(self) -> bool {
        matches!(
            self,
            Code::UnlockedDependency
                | Code::MissingDependency
                | Code::DependencyHashMismatch
                | Code::UnreachableDependency
                | Code::UnknownRevision
                | Code::VersionMismatch
                | Code::VersionConflict
                | Code::PackageCycle
                | Code::InvalidLock
                | Code::InvalidDependency
                | Code::UnknownPlatform
        )
    }

    /// Codes that begin with `W` are warnings; all others are errors.
    pub fn default_severity(self) -> super::Severity {
        if self.as_str().starts_with('W') {
            super::Severity::Warning
        } else {
            super::Severity::Error
        }
    }
}

impl std::fmt::Display for Code {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(self.as_str())
    }
}
