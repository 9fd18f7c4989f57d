import * as aws from "@pulumi/aws";
import * as pulumi from "@pulumi/pulumi";

import { keyPrefixesOverlap } from "../config/naming";
import { policy, PolicyStatement } from "../policies/document";
import { tlsOnlyBucketPolicy } from "../policies/workload";

export interface PrivateBucketArgs {
    /**
     * Prefix of the bucket's physical name (AWS appends a unique suffix); at most 37 characters.
     * @default Pulumi's auto-naming from the resource name
     */
    readonly namePrefix?: string;
    /**
     * Keep the bucket (and its objects) when the resource is deleted or the stack destroyed.
     * @default false
     */
    readonly retainOnDelete?: boolean;
    /**
     * Days after which non-current object versions are removed. Versioning itself is always on.
     * @default 30
     */
    readonly noncurrentVersionExpirationDays?: number;
    /**
     * Objects under these key prefixes expire after the given number of days.
     * @default none
     */
    readonly expirations?: readonly { readonly prefix: string; readonly days: number }[];
    /**
     * Key prefixes no expiration may reach (e.g. `<prefix>/` of user folders): an expiration
     * inside one, or containing one, is refused.
     * @default none
     */
    readonly protectedPrefixes?: readonly string[];
    /**
     * Extra bucket policy statements, given the bucket name, appended after the TLS-only denial.
     * @default none
     */
    readonly extraPolicyStatements?: (bucketName: string) => pulumi.Input<PolicyStatement[]>;
    /** Tags applied to the bucket. @default {} */
    readonly tags?: Record<string, string>;
}

/**
 * An S3 bucket nobody outside the account can reach: all four public-access blocks,
 * bucket-owner-enforced ownership (ACLs off), default encryption, versioning and a
 * bucket policy refusing any request not made over TLS.
 */
export class PrivateBucket extends pulumi.ComponentResource {
    public readonly bucket: aws.s3.Bucket;
    public readonly bucketName: pulumi.Output<string>;
    public readonly arn: pulumi.Output<string>;
    public readonly policy: aws.s3.BucketPolicy;

    constructor(name: string, args: PrivateBucketArgs = {}, opts?: pulumi.ComponentResourceOptions) {
        super("federated-access:storage:PrivateBucket", name, {}, opts);
        const expirationDays = args.noncurrentVersionExpirationDays ?? 30;
        if (!Number.isInteger(expirationDays) || expirationDays < 1) {
            throw new Error(
                `PrivateBucket '${name}': noncurrentVersionExpirationDays must be a positive integer, got '${expirationDays}'`,
            );
        }
        if (args.namePrefix !== undefined && !/^[a-z0-9][a-z0-9.-]{0,36}$/.test(args.namePrefix)) {
            throw new Error(`PrivateBucket '${name}': namePrefix must be 1-37 lowercase letters, digits, '.' or '-', got '${args.namePrefix}'`);
        }
        for (const { prefix, days } of args.expirations ?? []) {
            if (!/^[\w!.*'()/-]{1,512}\/$/.test(prefix) || !Number.isInteger(days) || days < 1) {
                throw new Error(`PrivateBucket '${name}': expirations need a key prefix ending in '/' and a positive whole number of days, got '${prefix}' after '${days}'`);
            }
            const kept = (args.protectedPrefixes ?? []).find((p) => keyPrefixesOverlap(prefix, p));
            if (kept !== undefined) {
                throw new Error(`PrivateBucket '${name}': the expiration of '${prefix}' would reach the protected prefix '${kept}'`);
            }
        }
        const retainOnDelete = args.retainOnDelete ?? false;
        const child = { parent: this };

        this.bucket = new aws.s3.Bucket(
            `${name}-bucket`,
            { bucketPrefix: args.namePrefix, forceDestroy: !retainOnDelete, tags: args.tags },
            { parent: this, retainOnDelete, protect: retainOnDelete },
        );
        const bucketId = this.bucket.id;

        const publicAccess = new aws.s3.BucketPublicAccessBlock(
            `${name}-public-access`,
            {
                bucket: bucketId,
                blockPublicAcls: true,
                blockPublicPolicy: true,
                ignorePublicAcls: true,
                restrictPublicBuckets: true,
            },
            child,
        );
        new aws.s3.BucketOwnershipControls(
            `${name}-ownership`,
            { bucket: bucketId, rule: { objectOwnership: "BucketOwnerEnforced" } },
            child,
        );
        new aws.s3.BucketServerSideEncryptionConfiguration(
            `${name}-encryption`,
            {
                bucket: bucketId,
                rules: [{ applyServerSideEncryptionByDefault: { sseAlgorithm: "AES256" }, bucketKeyEnabled: true }],
            },
            child,
        );
        const versioning = new aws.s3.BucketVersioning(
            `${name}-versioning`,
            { bucket: bucketId, versioningConfiguration: { status: "Enabled" } },
            child,
        );
        new aws.s3.BucketLifecycleConfiguration(
            `${name}-lifecycle`,
            {
                bucket: bucketId,
                rules: [
                    {
                        id: "expire-noncurrent-versions",
                        status: "Enabled",
                        filter: {},
                        noncurrentVersionExpiration: { noncurrentDays: expirationDays },
                        abortIncompleteMultipartUpload: { daysAfterInitiation: 7 },
                    },
                    ...(args.expirations ?? []).map(({ prefix, days }) => ({
                        id: `expire-${prefix.replace(/[^A-Za-z0-9_-]+/g, "-").replace(/-+$/, "")}`,
                        status: "Enabled",
                        filter: { prefix },
                        expiration: { days },
                    })),
                ],
            },
            { parent: this, dependsOn: [versioning] },
        );
        this.policy = new aws.s3.BucketPolicy(
            `${name}-policy`,
            {
                bucket: bucketId,
                policy: this.bucket.bucket.apply((bucketName) =>
                    pulumi
                        .output(args.extraPolicyStatements?.(bucketName) ?? [])
                        .apply((extra) => JSON.stringify(policy(...tlsOnlyBucketPolicy(bucketName).Statement, ...extra))),
                ),
            },
            // A policy put before the public-access block exists could be judged public.
            { parent: this, dependsOn: [publicAccess] },
        );

        this.bucketName = this.bucket.bucket;
        this.arn = this.bucket.arn;
        this.registerOutputs({ bucketName: this.bucketName, arn: this.arn });
    }
}
