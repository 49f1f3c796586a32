"""What samlite does with each resource type and property a template may declare: the one list.

README.md's table "What samlite emulates" is generated from `TYPES` (`scripts/support_table.py`), and
`tests/samlite/test_support_table.py` keeps both true to the code: every type provisioning creates
(`samlite.provisioning.resources.KINDS`), serves elsewhere (`HANDLED_ELSEWHERE`) or accepts without
enforcing (`NOT_ENFORCED`) must have a row with a matching status; a row marked `NOT_EMULATED` must not
be handled by any of them; every property a provisioning module or the template model reads must be
listed; every property named must exist in CloudFormation's resource schema (or SAM's).

Adding a type is one row here (the test's message gives it to paste), then the README is regenerated:

    TypeSupport("AWS::SQS::Queue", SUPPORTED, "what is emulated", (
        Prop("VisibilityTimeout"),
        Prop("KmsMasterKeyId", IGNORED, "no encryption locally"),
    )),

Statuses, for a type or a property:
- `SUPPORTED`: emulated as AWS does it;
- `PARTIAL`: emulated, with the limits the note states;
- `IGNORED`: accepted and has no local effect (the note says what a user would miss);
- `REFUSED`: samlite stops with one line naming the resource and property;
- `NOT_EMULATED`: a type samlite neither creates nor refuses: listed once at start and left out.
A property a type's row does not list has the row's `others` status (IGNORED unless said; PARTIAL
where the rest is handed to moto as given).
"""

from __future__ import annotations

from dataclasses import dataclass
from enum import StrEnum


class Status(StrEnum):
    SUPPORTED = "supported"
    PARTIAL = "partial"
    IGNORED = "ignored"
    REFUSED = "refused"
    NOT_EMULATED = "not emulated"


SUPPORTED = Status.SUPPORTED
PARTIAL = Status.PARTIAL
IGNORED = Status.IGNORED
REFUSED = Status.REFUSED
NOT_EMULATED = Status.NOT_EMULATED


@dataclass(frozen=True)
class Prop:
    name: str
    status: Status = SUPPORTED
    note: str = ""


@dataclass(frozen=True)
class TypeSupport:
    """One resource type: its status, what the note says, its properties, and what the others get."""

    type: str
    status: Status
    note: str
    properties: tuple[Prop, ...] = ()
    others: Status = IGNORED

    def property(self, name: str) -> Prop | None:
        return next((p for p in self.properties if p.name == name), None)


# What happens to a type no row names: provisioning lists it once at start and leaves it out.
OTHER_TYPES = TypeSupport(
    "(any other type)", NOT_EMULATED, "listed once at start as not emulated, and left out"
)

_LOCAL_CODE = "a local directory; code in S3 is refused (local code is needed)"
_RUNTIME = (
    "python3.x, on the declared Python when this machine has one (--python), else samlite's, with a line"
)
_LAYERS = (
    "the template's layers, the public Powertools layers by ARN (from PyPI), others through --layer-map; "
    "an ARN samlite cannot find is refused"
)
_ARCHITECTURES = "a line when it is not this machine's; the code runs on this machine's architecture"
_SOURCES_REFUSED = "; one that names a function of the template refuses the start"

TYPES: tuple[TypeSupport, ...] = (
    # -- SAM (translated by aws-sam-translator, then as the types they become) ------------------------
    TypeSupport(
        "AWS::Serverless::Function",
        PARTIAL,
        "becomes AWS::Lambda::Function and what its properties generate; runs in local workers",
        (
            Prop("Handler"),
            Prop("Runtime", PARTIAL, _RUNTIME),
            Prop("CodeUri", PARTIAL, _LOCAL_CODE),
            Prop("InlineCode", SUPPORTED, "written to index.py in samlite's cache and run from there"),
            Prop("PackageType", REFUSED, "container-image functions (Image) do not run"),
            Prop("ImageUri", REFUSED, "container-image functions do not run"),
            Prop("Layers", PARTIAL, _LAYERS),
            Prop("FunctionName"),
            Prop("Description"),
            Prop("MemorySize", SUPPORTED, "enforced: a worker above it ends with Runtime.ExitError"),
            Prop("Timeout", SUPPORTED, "enforced: the worker is replaced"),
            Prop("Environment", SUPPORTED, "with --env-vars overrides and dynamic references"),
            Prop(
                "Events",
                PARTIAL,
                "S3, Api, HttpApi, SQS, DynamoDB, Kinesis, SNS, EventBridgeRule, CloudWatchEvent, Schedule "
                "and ScheduleV2 are delivered; a source samlite does not emulate refuses the start",
            ),
            Prop("Policies", SUPPORTED, "policy templates expanded; enforced on each call"),
            Prop("Role"),
            Prop("RolePath"),
            Prop("PermissionsBoundary", IGNORED, "not enforced"),
            Prop("AssumeRolePolicyDocument", PARTIAL, "put on the role; samlite assumes it itself"),
            Prop("DeadLetterQueue"),
            Prop("EventInvokeConfig"),
            Prop("ReservedConcurrentExecutions", SUPPORTED, "caps the function's workers"),
            Prop(
                "AutoPublishAlias",
                SUPPORTED,
                "version 1 and the alias; events and APIs on the alias reach it",
            ),
            Prop("VersionDescription"),
            Prop(
                "DeploymentPreference", IGNORED, "no CodeDeploy: the alias points at the new version at once"
            ),
            Prop("ProvisionedConcurrencyConfig", IGNORED, "workers start on demand"),
            Prop("Architectures", PARTIAL, _ARCHITECTURES),
            Prop("LoggingConfig", SUPPORTED, "Text or JSON logs, log levels"),
            Prop("Tracing", IGNORED, "no X-Ray"),
            Prop("VpcConfig", IGNORED, "no VPC locally"),
            Prop("FileSystemConfigs", IGNORED, "no EFS mount"),
            Prop("FunctionUrlConfig", IGNORED, "the AWS::Lambda::Url it makes is not emulated"),
            Prop("Tags"),
        ),
    ),
    TypeSupport(
        "AWS::Serverless::Api",
        PARTIAL,
        "becomes AWS::ApiGateway::RestApi and its deployment, served by the local gateway",
        (
            Prop("StageName"),
            Prop("DefinitionBody"),
            Prop("DefinitionUri", PARTIAL, "a local OpenAPI file"),
            Prop("Cors"),
            Prop("BinaryMediaTypes"),
            Prop("Variables"),
            Prop("Auth", PARTIAL, "Lambda and Cognito authorizers and API keys enforced; AWS_IAM is not"),
            Prop("GatewayResponses"),
            Prop("ApiKeySourceType", PARTIAL, "HEADER; AUTHORIZER is not covered"),
        ),
    ),
    TypeSupport(
        "AWS::Serverless::HttpApi",
        PARTIAL,
        "becomes AWS::ApiGatewayV2::Api, served by the local gateway",
        (
            Prop("StageName"),
            Prop("DefinitionBody"),
            Prop("DefinitionUri", PARTIAL, "a local OpenAPI file"),
            Prop("CorsConfiguration"),
            Prop("StageVariables"),
            Prop("Auth", SUPPORTED, "Lambda and JWT authorizers enforced"),
        ),
    ),
    TypeSupport("AWS::Serverless::SimpleTable", SUPPORTED, "becomes AWS::DynamoDB::Table"),
    TypeSupport(
        "AWS::Serverless::Connector",
        PARTIAL,
        "becomes IAM policies (enforced) or resource policies (accepted, not enforced)",
    ),
    TypeSupport(
        "AWS::Serverless::LayerVersion",
        PARTIAL,
        "becomes AWS::Lambda::LayerVersion; with Metadata BuildMethod python3.x, built as sam build does",
        (
            Prop("ContentUri", PARTIAL, "a local folder; content in S3 is refused"),
            Prop("LayerName"),
            Prop("CompatibleRuntimes", PARTIAL, "a mismatch with a function's Runtime is a warning"),
            Prop("CompatibleArchitectures", PARTIAL, "a mismatch is a warning"),
            Prop("Description"),
            Prop("RetentionPolicy", IGNORED, "nothing is deleted or retained locally"),
        ),
    ),
    TypeSupport(
        "AWS::Serverless::StateMachine",
        PARTIAL,
        "becomes AWS::StepFunctions::StateMachine (and its role, rules and API method); runs in moto's "
        "interpreter, its tasks as its role",
        (
            Prop("Definition"),
            Prop("DefinitionUri", PARTIAL, "a local JSON or YAML file (a definition in S3 is not emulated)"),
            Prop("DefinitionSubstitutions"),
            Prop("Name"),
            Prop("Type", SUPPORTED, "STANDARD and EXPRESS"),
            Prop("Policies", SUPPORTED, "policy templates expanded; enforced on each task's call"),
            Prop("Role"),
            Prop("RolePath"),
            Prop("PermissionsBoundary", IGNORED, "not enforced"),
            Prop(
                "Events",
                PARTIAL,
                "Api is served by the gateway; Schedule, ScheduleV2 and EventBridgeRule start executions "
                "(samlite trigger fires a schedule now)",
            ),
            Prop("Logging", IGNORED, "the steps go to samlite's log stream instead of CloudWatch Logs"),
            Prop("Tracing", IGNORED, "no X-Ray"),
            Prop("AutoPublishAlias", IGNORED, "no state machine versions or aliases"),
            Prop("DeploymentPreference", IGNORED, "no state machine versions or aliases"),
            Prop("Tags"),
        ),
    ),
    TypeSupport("AWS::Serverless::Application", NOT_EMULATED, "becomes a nested AWS::CloudFormation::Stack"),
    TypeSupport("AWS::Serverless::GraphQLApi", NOT_EMULATED, "becomes AWS AppSync resources"),
    # -- Lambda --------------------------------------------------------------------------------------
    TypeSupport(
        "AWS::Lambda::Function",
        PARTIAL,
        "runs in warm local workers under the real awslambdaric; Invoke and the Lambda API answer for it",
        (
            Prop("Handler"),
            Prop("Runtime", PARTIAL, _RUNTIME),
            Prop("Code", PARTIAL, "a local path (as sam local reads it) or ZipFile; code in S3 is refused"),
            Prop("PackageType", REFUSED, "container-image functions (Image) do not run"),
            Prop("Layers", PARTIAL, _LAYERS),
            Prop("FunctionName"),
            Prop("Description"),
            Prop("MemorySize", SUPPORTED, "enforced"),
            Prop("Timeout", SUPPORTED, "enforced"),
            Prop("Environment", SUPPORTED, "with --env-vars overrides and dynamic references"),
            Prop("Role", SUPPORTED, "each function's own credentials; its policies enforced"),
            Prop("DeadLetterConfig"),
            Prop("ReservedConcurrentExecutions", SUPPORTED, "caps the function's workers"),
            Prop("LoggingConfig"),
            Prop("Architectures", PARTIAL, _ARCHITECTURES),
            Prop("TracingConfig", IGNORED, "reported by GetFunctionConfiguration; no X-Ray"),
            Prop("VpcConfig", IGNORED, "reported by GetFunctionConfiguration; no VPC locally"),
            Prop("KmsKeyArn", IGNORED, "reported; the environment is not encrypted locally"),
            Prop("EphemeralStorage", IGNORED, "reported; /tmp is this machine's"),
            Prop("Tags", SUPPORTED, "GetFunction reports them"),
        ),
    ),
    TypeSupport(
        "AWS::Lambda::Version",
        SUPPORTED,
        "a snapshot of the function's configuration with its own workers, numbered 1, 2... per function",
        (
            Prop("FunctionName"),
            Prop("Description"),
            Prop("CodeSha256", IGNORED, "the local code is published as it is"),
            Prop("ProvisionedConcurrencyConfig", IGNORED, "workers start on demand"),
        ),
    ),
    TypeSupport(
        "AWS::Lambda::Alias",
        PARTIAL,
        "invocable by name, ARN and Qualifier; events, API integrations and targets on it reach its version",
        (
            Prop("Name"),
            Prop("FunctionName"),
            Prop("FunctionVersion"),
            Prop("Description"),
            Prop(
                "RoutingConfig", PARTIAL, "reported by GetAlias; not applied: every call runs FunctionVersion"
            ),
            Prop("ProvisionedConcurrencyConfig", IGNORED, "workers start on demand"),
        ),
    ),
    TypeSupport(
        "AWS::Lambda::EventInvokeConfig",
        SUPPORTED,
        "retries, event age, on-success and on-failure destinations of asynchronous invocations",
    ),
    TypeSupport("AWS::Lambda::Permission", PARTIAL, "accepted; resource policies are not enforced locally"),
    TypeSupport(
        "AWS::Lambda::EventSourceMapping",
        SUPPORTED,
        "SQS (standard and FIFO), DynamoDB streams and Kinesis polled with Lambda's semantics; "
        "listed by ListEventSourceMappings",
        (
            Prop("EventSourceArn", SUPPORTED, "a queue, table stream or Kinesis stream of the local cloud"),
            Prop("FunctionName", SUPPORTED, "by name or ARN; a version or alias runs what it points at"),
            Prop("Enabled"),
            Prop("BatchSize"),
            Prop("MaximumBatchingWindowInSeconds"),
            Prop("FunctionResponseTypes", SUPPORTED, "ReportBatchItemFailures, with Lambda's rules"),
            Prop("ScalingConfig", SUPPORTED, "MaximumConcurrency caps the batches running at once"),
            Prop("FilterCriteria", SUPPORTED, "event-pattern grammar; filtered-out SQS messages are deleted"),
            Prop("StartingPosition"),
            Prop("StartingPositionTimestamp"),
            Prop("MaximumRetryAttempts"),
            Prop("MaximumRecordAgeInSeconds"),
            Prop("BisectBatchOnFunctionError"),
            Prop("ParallelizationFactor"),
            Prop("TumblingWindowInSeconds"),
            Prop("DestinationConfig", SUPPORTED, "OnFailure to a queue or topic, as Lambda writes it"),
            Prop("SelfManagedEventSource", NOT_EMULATED, "Kafka: listed at start and left out"),
            Prop(
                "AmazonManagedKafkaEventSourceConfig",
                NOT_EMULATED,
                "Amazon MSK: listed at start and left out",
            ),
            Prop("Queues", NOT_EMULATED, "Amazon MQ: listed at start and left out"),
            Prop("Topics", NOT_EMULATED, "Kafka: listed at start and left out"),
            Prop("MetricsConfig", IGNORED, "no CloudWatch metrics locally"),
            Prop("KmsKeyArn", IGNORED, "filter criteria are not encrypted locally"),
            Prop("ProvisionedPollerConfig", IGNORED, "one poller per mapping locally"),
        ),
    ),
    TypeSupport(
        "AWS::Lambda::LayerVersion",
        PARTIAL,
        "not published: its local content is merged into each function's view of /opt, in layer order",
        (
            Prop("Content", PARTIAL, "a local path, as sam local accepts it; content in S3 is refused"),
            Prop("LayerName", SUPPORTED, "names its LayerVersionArn (version 1)"),
            Prop("CompatibleRuntimes", PARTIAL, "a mismatch with a function's Runtime is a warning"),
            Prop("CompatibleArchitectures", PARTIAL, "a mismatch is a warning"),
            Prop("Description", IGNORED, "nothing lists layers locally"),
            Prop("LicenseInfo", IGNORED, "nothing lists layers locally"),
        ),
    ),
    TypeSupport("AWS::Lambda::Url", NOT_EMULATED, "no function URLs locally" + _SOURCES_REFUSED),
    # -- storage and messaging -------------------------------------------------------------------------
    TypeSupport(
        "AWS::S3::Bucket",
        PARTIAL,
        "created in the embedded S3; samlite sends the events, in AWS's shape",
        (
            Prop("BucketName"),
            Prop("VersioningConfiguration"),
            Prop(
                "NotificationConfiguration",
                PARTIAL,
                "Lambda, queue and topic configurations with their filters; EventBridgeConfiguration sends "
                "S3's events to the default bus",
            ),
        ),
    ),
    TypeSupport("AWS::S3::BucketPolicy", PARTIAL, "accepted; resource policies are not enforced locally"),
    TypeSupport(
        "AWS::DynamoDB::Table",
        SUPPORTED,
        "created in the embedded DynamoDB, Query answered from sorted indexes",
        (
            Prop("TableName"),
            Prop("KeySchema"),
            Prop("AttributeDefinitions"),
            Prop("BillingMode"),
            Prop("ProvisionedThroughput", SUPPORTED, "recorded; no throttling locally"),
            Prop("GlobalSecondaryIndexes"),
            Prop("LocalSecondaryIndexes"),
            Prop(
                "StreamSpecification",
                SUPPORTED,
                "every write becomes a record with the images of its view type; mappings read it",
            ),
            Prop("TimeToLiveSpecification", PARTIAL, "recorded; expired items are not deleted"),
            Prop("SSESpecification"),
            Prop("DeletionProtectionEnabled"),
            Prop("Tags"),
        ),
    ),
    TypeSupport(
        "AWS::SQS::Queue",
        SUPPORTED,
        "created in the embedded SQS, dead-letter queues first",
        (
            Prop("QueueName"),
            Prop("FifoQueue"),
            Prop("ContentBasedDeduplication"),
            Prop("DeduplicationScope"),
            Prop("FifoThroughputLimit"),
            Prop("DelaySeconds"),
            Prop("MaximumMessageSize"),
            Prop("MessageRetentionPeriod"),
            Prop("ReceiveMessageWaitTimeSeconds"),
            Prop("VisibilityTimeout"),
            Prop("RedrivePolicy"),
            Prop("RedriveAllowPolicy"),
            Prop("KmsMasterKeyId", IGNORED, "recorded; messages are not encrypted locally"),
            Prop("KmsDataKeyReusePeriodSeconds", IGNORED, "recorded"),
            Prop("SqsManagedSseEnabled", IGNORED, "recorded"),
            Prop("Tags"),
        ),
    ),
    TypeSupport(
        "AWS::Kinesis::Stream",
        SUPPORTED,
        "created in the embedded Kinesis; PutRecord(s) records feed event-source mappings",
        (
            Prop("Name"),
            Prop("ShardCount", SUPPORTED, "records go to shards by partition key"),
            Prop("StreamModeDetails"),
            Prop("RetentionPeriodHours", PARTIAL, "recorded; records are not expired"),
            Prop("Tags"),
            Prop("StreamEncryption", IGNORED, "records are stored as given"),
            Prop("DesiredShardLevelMetrics", IGNORED, "no CloudWatch metrics locally"),
        ),
    ),
    TypeSupport("AWS::SQS::QueuePolicy", PARTIAL, "accepted; resource policies are not enforced locally"),
    TypeSupport(
        "AWS::SNS::Topic",
        PARTIAL,
        "created in the embedded SNS; Publish and PublishBatch reach its subscriptions as SNS delivers",
        (
            Prop("TopicName"),
            Prop("DisplayName"),
            Prop("FifoTopic"),
            Prop("ContentBasedDeduplication", SUPPORTED, "FIFO queues get the SHA-256 of the message"),
            Prop("Subscription", PARTIAL, "delivered as AWS::SNS::Subscription's lambda and sqs protocols"),
            Prop("Tags"),
        ),
    ),
    TypeSupport("AWS::SNS::TopicPolicy", PARTIAL, "accepted; resource policies are not enforced locally"),
    TypeSupport(
        "AWS::SNS::Subscription",
        PARTIAL,
        "lambda (asynchronous invoke: retries and DLQ apply) and sqs subscriptions are delivered in SNS's "
        "shapes; other protocols are said once and not delivered",
        (
            Prop("TopicArn"),
            Prop("Protocol", PARTIAL, "lambda and sqs; http(s), email, sms, application, firehose are not"),
            Prop("Endpoint"),
            Prop("RawMessageDelivery"),
            Prop("FilterPolicy", SUPPORTED, "EventBridge's pattern grammar; checked as SNS checks it"),
            Prop("FilterPolicyScope", SUPPORTED, "MessageAttributes or MessageBody"),
            Prop("RedrivePolicy", SUPPORTED, "what a queue refuses goes to its dead-letter queue"),
            Prop("DeliveryPolicy", IGNORED, "HTTP delivery retries: no HTTP delivery locally"),
        ),
    ),
    # -- EventBridge ------------------------------------------------------------------------------------
    TypeSupport(
        "AWS::Events::EventBus",
        SUPPORTED,
        "created in the embedded EventBridge; PutEvents to it reaches its rules",
        (Prop("Name"), Prop("Tags")),
    ),
    TypeSupport(
        "AWS::Events::Rule",
        PARTIAL,
        "pattern rules route PutEvents and S3's events; schedule rules fire while samlite start runs "
        "(samlite trigger fires one now)",
        (
            Prop("Name"),
            Prop("Description"),
            Prop("EventBusName"),
            Prop("EventPattern", SUPPORTED, "every operator of the pattern grammar; checked as PutRule does"),
            Prop("ScheduleExpression", SUPPORTED, "rate() and cron() (six fields, ? L W #), UTC"),
            Prop("State", SUPPORTED, "a disabled rule neither matches nor fires on its own"),
            Prop(
                "Targets",
                PARTIAL,
                "Lambda (async), SQS, SNS, event buses, state machines; Input, InputPath, InputTransformer, "
                "SqsParameters, DeadLetterConfig; RetryPolicy is not applied, other targets not emulated",
            ),
            Prop("RoleArn", IGNORED, "recorded; samlite delivers without assuming it"),
        ),
    ),
    # -- EventBridge Scheduler --------------------------------------------------------------------------
    TypeSupport(
        "AWS::Scheduler::Schedule",
        PARTIAL,
        "fired while samlite start runs (samlite trigger fires one now); templated targets Lambda, SQS, "
        "SNS, EventBridge and Step Functions StartExecution",
        (
            Prop("Name"),
            Prop("GroupName"),
            Prop("Description"),
            Prop("ScheduleExpression", SUPPORTED, "rate(), cron() and at()"),
            Prop("ScheduleExpressionTimezone", SUPPORTED, "IANA zones, daylight saving time followed"),
            Prop("FlexibleTimeWindow", SUPPORTED, "a random moment within MaximumWindowInMinutes"),
            Prop("State"),
            Prop("StartDate"),
            Prop("EndDate"),
            Prop(
                "Target",
                PARTIAL,
                "Input with context attributes, SqsParameters, EventBridgeParameters, DeadLetterConfig; "
                "universal targets and RetryPolicy are not",
            ),
            Prop("KmsKeyArn", IGNORED, "recorded; nothing is encrypted locally"),
        ),
    ),
    TypeSupport(
        "AWS::Scheduler::ScheduleGroup",
        SUPPORTED,
        "created in the embedded Scheduler; its schedules name it",
        (Prop("Name"), Prop("Tags")),
    ),
    # -- Step Functions ----------------------------------------------------------------------------------
    TypeSupport(
        "AWS::StepFunctions::StateMachine",
        PARTIAL,
        "runs in moto's Amazon States Language interpreter; tasks call the local endpoint as its role; "
        "each execution's steps in the log stream",
        (
            Prop("Definition"),
            Prop("DefinitionString"),
            Prop("DefinitionS3Location", NOT_EMULATED, "a definition in S3 cannot be read locally"),
            Prop("DefinitionSubstitutions"),
            Prop("RoleArn", SUPPORTED, "every task's call is signed as this role and enforced"),
            Prop("StateMachineName"),
            Prop("StateMachineType", SUPPORTED, "STANDARD and EXPRESS (StartSyncExecution)"),
            Prop("LoggingConfiguration", IGNORED, "the steps go to samlite's log stream"),
            Prop("TracingConfiguration", IGNORED, "no X-Ray"),
            Prop("EncryptionConfiguration", IGNORED, "no encryption locally"),
            Prop("Tags"),
        ),
    ),
    TypeSupport(
        "AWS::StepFunctions::Activity",
        NOT_EMULATED,
        "moto's interpreter runs Activity tasks against an empty store: no worker could take them",
    ),
    # -- secrets, parameters, keys ----------------------------------------------------------------------
    TypeSupport(
        "AWS::SecretsManager::Secret",
        SUPPORTED,
        "Ref is its ARN; {{resolve:secretsmanager:...}} resolves to it",
        (
            Prop("Name"),
            Prop("Description"),
            Prop("SecretString"),
            Prop("GenerateSecretString", SUPPORTED, "GetRandomPassword's rules, with SecretStringTemplate"),
            Prop("KmsKeyId"),
            Prop("ReplicaRegions", IGNORED, "one region locally"),
            Prop("Tags"),
        ),
    ),
    TypeSupport(
        "AWS::SSM::Parameter",
        SUPPORTED,
        "Ref is its name; {{resolve:ssm:...}} resolves to it",
        (
            Prop("Name"),
            Prop("Type", PARTIAL, "String and StringList; SecureString is refused, as by CloudFormation"),
            Prop("Value"),
            Prop("Description"),
            Prop("AllowedPattern", SUPPORTED, "the value is checked against it"),
            Prop("DataType"),
            Prop("Tier"),
            Prop("Policies", IGNORED, "recorded; expiration policies do not fire"),
            Prop("Tags"),
        ),
    ),
    TypeSupport(
        "AWS::KMS::Key",
        PARTIAL,
        "created in the embedded KMS under the id Ref gives; key policies are only partly checked by moto",
        (
            Prop("Description"),
            Prop("KeyPolicy", PARTIAL, "stored; only moto's basic checks"),
            Prop("KeyUsage"),
            Prop("KeySpec"),
            Prop("Origin"),
            Prop("MultiRegion"),
            Prop("Enabled"),
            Prop("EnableKeyRotation"),
            Prop("Tags"),
        ),
    ),
    TypeSupport(
        "AWS::KMS::Alias",
        SUPPORTED,
        "the alias names its key in every KMS call",
        (Prop("AliasName", SUPPORTED, "must begin with alias/ (not alias/aws/)"), Prop("TargetKeyId")),
    ),
    # -- IAM -------------------------------------------------------------------------------------------
    TypeSupport(
        "AWS::IAM::Role",
        SUPPORTED,
        "created in the embedded IAM; each function's calls carry exactly its role's policies",
        (
            Prop("RoleName"),
            Prop("Path"),
            Prop("Policies"),
            Prop("ManagedPolicyArns"),
            Prop("AssumeRolePolicyDocument", PARTIAL, "stored; samlite assumes function roles itself"),
            Prop("MaxSessionDuration"),
            Prop("PermissionsBoundary", IGNORED, "not enforced"),
        ),
    ),
    TypeSupport(
        "AWS::IAM::ManagedPolicy",
        SUPPORTED,
        "created and attached to its roles",
        (
            Prop("ManagedPolicyName"),
            Prop("Description"),
            Prop("Path"),
            Prop("PolicyDocument"),
            Prop("Roles"),
            Prop("Users", IGNORED, "only roles are attached"),
            Prop("Groups", IGNORED, "only roles are attached"),
        ),
    ),
    TypeSupport(
        "AWS::IAM::Policy",
        SUPPORTED,
        "put on its roles",
        (
            Prop("PolicyName"),
            Prop("PolicyDocument"),
            Prop("Roles"),
            Prop("Users", IGNORED, "only roles are given the policy"),
            Prop("Groups", IGNORED, "only roles are given the policy"),
        ),
    ),
    # -- API Gateway (served by the local gateway) ------------------------------------------------------
    TypeSupport(
        "AWS::ApiGateway::RestApi",
        PARTIAL,
        "served from its OpenAPI Body: Lambda proxy and non-proxy, AWS service and MOCK integrations with "
        "Velocity templates, Lambda and Cognito authorizers, API keys, gateway responses, CORS; not: AWS_IAM "
        "authorization, HTTP and VPC-link integrations, request validators, throttling",
        (
            Prop("Body"),
            Prop("BinaryMediaTypes"),
            Prop("ApiKeySourceType", PARTIAL, "HEADER; AUTHORIZER is not covered"),
            Prop("BodyS3Location", IGNORED, "an API without an inline Body is not served"),
        ),
    ),
    TypeSupport(
        "AWS::ApiGateway::Stage",
        SUPPORTED,
        "the API's stage in its local URL",
        (Prop("StageName"), Prop("RestApiId"), Prop("Variables")),
    ),
    TypeSupport(
        "AWS::ApiGateway::Deployment",
        SUPPORTED,
        "its stage when no Stage is declared",
        (Prop("StageName"), Prop("RestApiId")),
    ),
    TypeSupport("AWS::ApiGateway::Resource", IGNORED, "routes are read from the RestApi's Body"),
    TypeSupport("AWS::ApiGateway::Method", IGNORED, "routes are read from the RestApi's Body"),
    TypeSupport(
        "AWS::ApiGateway::ApiKey",
        SUPPORTED,
        "enforced on the methods that require a key; readable with GetApiKey",
        (
            Prop("Value", SUPPORTED, "generated (stable per stack) when not given"),
            Prop("Enabled"),
            Prop("StageKeys"),
        ),
    ),
    TypeSupport(
        "AWS::ApiGateway::UsagePlan",
        PARTIAL,
        "its keys are accepted on its stages; throttling and quotas are not applied",
        (Prop("ApiStages"), Prop("Throttle", IGNORED, "not applied"), Prop("Quota", IGNORED, "not applied")),
    ),
    TypeSupport(
        "AWS::ApiGateway::UsagePlanKey",
        SUPPORTED,
        "binds a key to its plan's stages",
        (Prop("KeyId"), Prop("UsagePlanId")),
    ),
    TypeSupport(
        "AWS::ApiGatewayV2::Api",
        PARTIAL,
        "HTTP APIs served from their OpenAPI Body: Lambda proxy (1.0, 2.0) and AWS service integrations, "
        "Lambda and JWT authorizers, CORS; not: HTTP integrations, WebSocket APIs",
        (Prop("Body"),),
    ),
    TypeSupport(
        "AWS::ApiGatewayV2::Stage",
        SUPPORTED,
        "the API's stage in its local URL",
        (Prop("StageName"), Prop("StageVariables")),
    ),
    # -- Cognito ---------------------------------------------------------------------------------------
    TypeSupport(
        "AWS::Cognito::UserPool",
        PARTIAL,
        "created in the embedded Cognito under the id Ref gives; sign-up and sign-in through cognito-idp, "
        "its keys served for the gateway's authorizers",
        (
            Prop("UserPoolName"),
            Prop("UserPoolTags"),
            Prop("DeletionProtection", IGNORED, "not enforced"),
            Prop("LambdaConfig", IGNORED, "triggers are not invoked"),
        ),
        others=PARTIAL,
    ),
    TypeSupport(
        "AWS::Cognito::UserPoolClient",
        SUPPORTED,
        "created under the id Ref gives; tokens it gets are accepted by the gateway's authorizers",
        (
            Prop("UserPoolId"),
            Prop("ClientName"),
            Prop("GenerateSecret"),
            Prop("ReadAttributes", SUPPORTED, "all of the pool's attributes when not given, as on AWS"),
        ),
        others=PARTIAL,
    ),
    TypeSupport(
        "AWS::Cognito::UserPoolGroup",
        SUPPORTED,
        "created in its pool",
        (Prop("GroupName"), Prop("UserPoolId"), Prop("Description"), Prop("RoleArn"), Prop("Precedence")),
    ),
    # -- logs ------------------------------------------------------------------------------------------
    TypeSupport(
        "AWS::Logs::LogGroup", IGNORED, "not created: function logs go to .samlite/logs/<Function>.log"
    ),
)


def by_type() -> dict[str, TypeSupport]:
    return {row.type: row for row in TYPES}


# -- the README table ---------------------------------------------------------------------------------

TABLE_BEGIN = "<!-- support-table:begin (generated from src/samlite/model/support.py) -->"
TABLE_END = "<!-- support-table:end -->"


def table_rows() -> list[tuple[str, str, str, str]]:
    """(type, property, status, note) of every row, types in order, each type's properties after it."""
    rows: list[tuple[str, str, str, str]] = []
    for support in sorted(TYPES, key=lambda row: (not row.type.startswith("AWS::Serverless::"), row.type)):
        rows.append((f"`{support.type}`", "", str(support.status), support.note))
        for prop in support.properties:
            rows.append(("", f"`{prop.name}`", str(prop.status), prop.note))
        if support.properties and support.status is not NOT_EMULATED:
            rows.append(("", "(other properties)", str(support.others), ""))
    rows.append((OTHER_TYPES.type, "", str(OTHER_TYPES.status), OTHER_TYPES.note))
    return rows


def render_markdown() -> str:
    """The README's table, between its markers."""
    lines = [TABLE_BEGIN, "| Resource type | Property | samlite | Notes |", "|---|---|---|---|"]
    lines += [
        f"| {kind} | {prop} | {status} | {note} |".replace("|  |", "| |")
        for kind, prop, status, note in table_rows()
    ]
    lines.append(TABLE_END)
    return "\n".join(lines)
