/**
 * A test double of the read-file handler's `S3Reader`: it records every call with the access
 * key it was signed with, and answers as the test programs it (by default: the objects it
 * holds, AccessDenied for any other key, as S3 answers a caller that may not list the folder).
 * Failures are thrown as the production reader throws them (`S3Error`).
 */
import { S3Error, S3ObjectRead, S3Reader } from "../../lambdas/s3Reader";

export interface S3Call {
    readonly op: "GetObject" | "ListObjectsV2";
    readonly bucket: string;
    /** The key read, or the prefix listed. */
    readonly key: string;
    /** The access key id of the credentials the call was signed with. */
    readonly accessKeyId: string;
}

type Answer<T> = (call: S3Call) => T | Promise<T>;

const denied = (): never => {
    throw new S3Error("AccessDenied", 403);
};

export class S3Double {
    readonly calls: S3Call[] = [];
    /** Objects by key, as text. */
    readonly objects = new Map<string, string>();
    /** Answers GetObject with the object's text; throw to fail. @default the object, or AccessDenied */
    onGet: Answer<string> = (call) => this.stored(call);
    /** Answers ListObjectsV2 with the number of keys found. @default AccessDenied */
    onList: Answer<number> = denied;

    /** What S3 answers by default: the object, or AccessDenied (the caller may not list the folder). */
    stored(call: S3Call): string {
        const text = this.objects.get(call.key);
        if (text === undefined) throw new S3Error("AccessDenied", 403);
        return text;
    }

    reset(): void {
        this.calls.splice(0);
        this.objects.clear();
        this.onGet = (call) => this.stored(call);
        this.onList = denied;
    }

    callsOf(op: S3Call["op"]): S3Call[] {
        return this.calls.filter((call) => call.op === op);
    }

    readerFor(credentials: { accessKeyId: string }): S3Reader {
        return {
            getObject: async (bucket, key, maxBytes): Promise<S3ObjectRead> => {
                const call = { op: "GetObject" as const, bucket, key, accessKeyId: credentials.accessKeyId };
                this.calls.push(call);
                const text = await this.onGet(call);
                return Buffer.byteLength(text) > maxBytes ? { tooLarge: true } : { tooLarge: false, text };
            },
            countKeys: async (bucket, prefix) => {
                const call = { op: "ListObjectsV2" as const, bucket, key: prefix, accessKeyId: credentials.accessKeyId };
                this.calls.push(call);
                return this.onList(call);
            },
        };
    }
}
