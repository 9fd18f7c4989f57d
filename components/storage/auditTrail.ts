import * as aws from "@pulumi/aws";
import * as pulumi from "@pulumi/pulumi";

import { cloudTrailDeliveryStatements, serverAccessLogDeliveryStatement } from "../policies/workload";
import { PrivateBucket } from "./privateBucket";

/** Key prefix of the audit log bucket's server access logs in their bucket. */
export const ACCESS_LOG_KEY_PREFIX = "audit-log-access/";

export interface AuditTrailArgs {
    /** Physical name of the trail (its ARN is needed by the log bucket's policy before it exists). */
    readonly trailName: string;
    /** Bucket whose object reads and writes are recorded as data events. */
    readonly watchedBucketName: pulumi.Input<string>;
    /** Prefix of the log bucket's name. @default auto-named */
    readonly bucketNamePrefix?: string;
    /** Prefix of the name of the bucket receiving the log bucket's server access logs. @default auto-named */
    readonly accessLogBucketNamePrefix?: string;
    /** Days non-current log file versions are kept. @default 365 */
    readonly noncurrentVersionExpirationDays?: number;
    /** Tags applied to every taggable resource. @default {} */
    readonly tags?: Record<string, string>;
}

/**
 * A CloudTrail trail recording management events (every role assumption, every policy
 * change) and S3 data events on one bucket (each user's object reads and writes), delivered
 * to its own private, encrypted, versioned log bucket that outlives the stack. Every request
 * on that log bucket, reads and deletes of the logs included, is recorded by S3 server access
 * logging in a second bucket: a trail recording data events of its own log bucket would record
 * its own deliveries, each delivery a new event to deliver.
 */
export class AuditTrail extends pulumi.ComponentResource {
    public readonly trail: aws.cloudtrail.Trail;
    public readonly logBucket: PrivateBucket;
    /** Receives the server access logs of `logBucket`: who read or deleted which log file. */
    public readonly accessLogBucket: PrivateBucket;
    public readonly trailArn: pulumi.Output<string>;

    constructor(name: string, args: AuditTrailArgs, opts?: pulumi.ComponentResourceOptions) {
        super("federated-access:audit:AuditTrail", name, {}, opts);
        if (!/^[A-Za-z0-9][A-Za-z0-9._-]{2,127}$/.test(args.trailName)) {
            throw new Error(`AuditTrail '${name}': trailName must be 3-128 letters, digits, '.', '_' or '-', got '${args.trailName}'`);
        }
        const identity = aws.getCallerIdentityOutput({}, { parent: this });
        const region = aws.getRegionOutput({}, { parent: this });
        this.trailArn = pulumi.interpolate`arn:aws:cloudtrail:${region.region}:${identity.accountId}:trail/${args.trailName}`;

        this.logBucket = new PrivateBucket(
            `${name}-logs`,
            {
                namePrefix: args.bucketNamePrefix,
                retainOnDelete: true,
                noncurrentVersionExpirationDays: args.noncurrentVersionExpirationDays ?? 365,
                extraPolicyStatements: (bucket) =>
                    pulumi
                        .all([identity.accountId, this.trailArn])
                        .apply(([accountId, trailArn]) => cloudTrailDeliveryStatements(bucket, accountId, trailArn)),
                tags: args.tags,
            },
            { parent: this },
        );

        this.accessLogBucket = new PrivateBucket(
            `${name}-access-logs`,
            {
                namePrefix: args.accessLogBucketNamePrefix,
                retainOnDelete: true,
                noncurrentVersionExpirationDays: args.noncurrentVersionExpirationDays ?? 365,
                extraPolicyStatements: (bucket) =>
                    pulumi
                        .all([identity.accountId, this.logBucket.bucketName])
                        .apply(([accountId, source]) => [serverAccessLogDeliveryStatement(bucket, ACCESS_LOG_KEY_PREFIX, source, accountId)]),
                tags: args.tags,
            },
            { parent: this },
        );
        new aws.s3.BucketLogging(
            `${name}-logs-access-logging`,
            { bucket: this.logBucket.bucketName, targetBucket: this.accessLogBucket.bucketName, targetPrefix: ACCESS_LOG_KEY_PREFIX },
            // S3 delivers only where the target's policy already lets it.
            { parent: this, dependsOn: [this.accessLogBucket.policy] },
        );

        const watched = pulumi.output(args.watchedBucketName);
        // The provider's trail directly: the log bucket keeps exactly the policy above (TLS only,
        // delivery pinned to this trail), and every part of the trail is visible to the tests.
        this.trail = new aws.cloudtrail.Trail(
            `${name}-trail`,
            {
                name: args.trailName,
                s3BucketName: this.logBucket.bucketName,
                enableLogging: true,
                enableLogFileValidation: true,
                includeGlobalServiceEvents: true,
                isMultiRegionTrail: true,
                advancedEventSelectors: [
                    { name: "Management events", fieldSelectors: [{ field: "eventCategory", equals: ["Management"] }] },
                    {
                        name: "User files object access",
                        fieldSelectors: [
                            { field: "eventCategory", equals: ["Data"] },
                            { field: "resources.type", equals: ["AWS::S3::Object"] },
                            { field: "resources.ARN", startsWiths: [pulumi.interpolate`arn:aws:s3:::${watched}/`] },
                        ],
                    },
                ],
                tags: args.tags,
            },
            // CloudTrail checks the bucket policy when the trail is created.
            { parent: this, dependsOn: [this.logBucket.policy] },
        );
        this.registerOutputs({ trailArn: this.trailArn, logBucket: this.logBucket.bucketName, accessLogBucket: this.accessLogBucket.bucketName });
    }
}
