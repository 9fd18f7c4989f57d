/**
 * Pulumi.yaml declares the project's configuration as Pulumi reads it, from the one schema the
 * program validates with; the stack files pass both; the mock runner hands the program its
 * configuration as the CLI does.
 */
import * as assert from "assert";
import * as fs from "fs";
import * as os from "os";
import * as path from "path";

import { CONFIG_KEYS, ConfigKey, isRequired } from "../components/config/stackSettings";
import { STAGES } from "./harness";
import { applyProjectDefaults, PROJECT, projectFile, SECRET_PLACEHOLDER, stackFileConfig } from "./harness";

/**
 * Whether the CLI accepts a stack value for a declared type: Pulumi's ValidateConfigValue
 * (sdk/go/common/workspace/project.go, v3.248.0) on the decrypted text the CLI checks.
 */
function pulumiAcceptsStackValue(type: string, value: string): boolean {
    switch (type) {
        case "string":
            return true;
        case "integer":
            return /^[+-]?\d+$/.test(value); // Go's strconv.Atoi
        case "boolean":
            return value === "true" || value === "false";
        default:
            return false;
    }
}

/** Whether a default in Pulumi.yaml is of its declared type (the same function, on the YAML value). */
function pulumiAcceptsDefault(type: string, value: unknown): boolean {
    switch (type) {
        case "string":
            return typeof value === "string";
        case "integer":
            return typeof value === "number" ? Number.isInteger(value) : typeof value === "string" && /^[+-]?\d+$/.test(value);
        case "boolean":
            return typeof value === "boolean" || value === "true" || value === "false";
        default:
            return false;
    }
}

describe("project configuration", () => {
    const project = projectFile();

    it("Pulumi.yaml declares every key of the schema, with its type, description and default", () => {
        assert.strictEqual(project.name, PROJECT);
        const expected: Record<string, object> = {};
        for (const [name, spec] of Object.entries(CONFIG_KEYS) as [string, ConfigKey][]) {
            if (spec.secret) {
                continue; // an optional secret, which the project file cannot declare (see ConfigKey.secret)
            }
            expected[`${PROJECT}:${name}`] = { type: spec.type, description: spec.description, ...(spec.default !== undefined ? { default: spec.default } : {}) };
        }
        assert.deepStrictEqual(project.config, expected);
    });

    it("Pulumi.yaml follows the rules of Pulumi's project file", () => {
        // sdk/go/common/workspace/project.json (configTypeDeclaration) and Project.Validate, v3.248.0.
        const attributes = ["type", "items", "description", "secret", "default", "value"];
        for (const [key, declaration] of Object.entries(project.config)) {
            for (const attribute of Object.keys(declaration)) {
                assert.ok(attributes.includes(attribute), `${key}: '${attribute}' is not an attribute Pulumi knows`);
            }
            assert.ok(!("default" in declaration && "value" in declaration), `${key}: not both a default and a value`);
            assert.ok(key.startsWith(`${PROJECT}:`), `${key}: another namespace's key may carry only a value`);
            assert.ok(["string", "integer", "boolean"].includes(String(declaration.type)), `${key}: a type`);
            if (declaration.default !== undefined) {
                assert.ok(pulumiAcceptsDefault(String(declaration.type), declaration.default), `${key}: the default is a ${declaration.type}`);
            }
            assert.ok(!(declaration.secret && declaration.default !== undefined), `${key}: the CLI would refuse a plaintext default of a secret`);
        }
    });

    it("the keys without a default are the ones the program requires", () => {
        const withoutDefault = Object.entries(project.config)
            .filter(([, declaration]) => declaration.default === undefined && declaration.value === undefined)
            .map(([key]) => key);
        const required = (Object.entries(CONFIG_KEYS) as [string, ConfigKey][]).filter(([, spec]) => isRequired(spec)).map(([name]) => `${PROJECT}:${name}`);
        assert.deepStrictEqual(withoutDefault, required);
    });

    it("every value the schema accepts passes Pulumi's type check, so the CLI refuses nothing the program takes", () => {
        const probes = ["", "true", "false", "0", "1", "14", "30", "14.0", "30.0", "-5", "+5", "1.5", "1e3", "ON", "create", "abc", "owner/name", "210987654321"];
        for (const [name, spec] of Object.entries(CONFIG_KEYS) as [string, ConfigKey][]) {
            for (const probe of probes) {
                if (spec.schema.safeParse(probe).success) {
                    assert.ok(pulumiAcceptsStackValue(spec.type, probe), `${name} = '${probe}': the program takes it, a ${spec.type} check would refuse it`);
                }
            }
            if (spec.default !== undefined) {
                assert.ok(spec.schema.safeParse(String(spec.default)).success, `${name}: the program takes its own default`);
            }
        }
    });

    for (const stage of STAGES) {
        it(`Pulumi.${stage}.yaml holds known keys only, each of its declared type`, () => {
            const { config } = stackFileConfig(stage);
            for (const [key, value] of Object.entries(config)) {
                if (key.startsWith("aws:")) {
                    continue;
                }
                const name = key.slice(PROJECT.length + 1);
                assert.ok(key.startsWith(`${PROJECT}:`) && name in CONFIG_KEYS, `${stage}: ${key} is a key of the schema`);
                const declaration = project.config[key];
                if (declaration) {
                    assert.ok(pulumiAcceptsStackValue(String(declaration.type), value), `${stage}: ${key} = '${value}' is a ${declaration.type}`);
                }
            }
        });
    }
});

describe("mock runner configuration, as the CLI hands it over", () => {
    let dir: string;
    before(() => {
        dir = fs.mkdtempSync(path.join(os.tmpdir(), "stack-files-"));
    });
    after(() => {
        fs.rmSync(dir, { recursive: true, force: true });
    });
    const write = (name: string, body: string) => {
        const file = path.join(dir, name);
        fs.writeFileSync(file, body);
        return file;
    };

    it("reads a missing or empty stack file as an empty configuration", () => {
        assert.deepStrictEqual(stackFileConfig("deve", path.join(dir, "absent.yaml")), { config: {}, secretKeys: [] });
        assert.deepStrictEqual(stackFileConfig("deve", write("empty.yaml", "")), { config: {}, secretKeys: [] });
    });

    it("namespaces bare keys with the project, passes scalars as text, secure values as secrets, empty entries as ''", () => {
        const file = write(
            "Pulumi.x.yaml",
            ["config:", "  aws:region: eu-west-1", "  mfa: ON", "  federated-access:logRetentionDays: 14", "  federated-access:auditTrail: false", "  federated-access:callerExternalId:", "    secure: AAABAGx4", "  federated-access:ciStateBucket:", ""].join("\n"),
        );
        assert.deepStrictEqual(stackFileConfig("deve", file), {
            config: {
                "aws:region": "eu-west-1",
                "federated-access:mfa": "ON",
                "federated-access:logRetentionDays": "14",
                "federated-access:auditTrail": "false",
                "federated-access:callerExternalId": SECRET_PLACEHOLDER,
                "federated-access:ciStateBucket": "",
            },
            secretKeys: ["federated-access:callerExternalId"],
        });
    });

    it("refuses unquoted numbers written other than plainly, which YAML readers disagree on, and takes them quoted", () => {
        for (const [written, plain] of [["060", "60"], ["0x5A0", "1440"], ["1e3", "1000"], ["60.0", "60"], ["+60", "60"], ["True", "true"]]) {
            const file = write(`Pulumi.n${plain}.yaml`, ["config:", `  federated-access:idTokenValidityMinutes: ${written}`, ""].join("\n"));
            assert.throws(() => stackFileConfig("deve", file), new RegExp(`federated-access:idTokenValidityMinutes: write '${written.replace("+", "\\+")}' as ${plain}, or quote it`));
        }
        const quoted = write("Pulumi.q.yaml", ["config:", '  federated-access:idTokenValidityMinutes: "060"', "  federated-access:logRetentionDays: 14", ""].join("\n"));
        assert.deepStrictEqual(stackFileConfig("deve", quoted).config, { "federated-access:idTokenValidityMinutes": "060", "federated-access:logRetentionDays": "14" });
    });

    it("fills in Pulumi.yaml's defaults for keys the stack does not set, and only those", () => {
        const config = applyProjectDefaults({ "federated-access:logRetentionDays": "14", "federated-access:githubRepository": "acme/infra" });
        assert.strictEqual(config["federated-access:logRetentionDays"], "14");
        assert.strictEqual(config["federated-access:githubRepository"], "acme/infra");
        assert.strictEqual(config["federated-access:protectData"], "true", "a boolean default as the engine writes it");
        assert.strictEqual(config["federated-access:apiThrottleRateLimit"], "50");
        assert.strictEqual(config["federated-access:ciStateBucket"], "");
        assert.ok(!("federated-access:callerAccountId" in config), "a required key gets no value");
        assert.ok(!("federated-access:callerExternalId" in config));
        assert.ok(!("aws:region" in config));
    });
});
