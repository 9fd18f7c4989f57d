import { PolicyPack } from "@pulumi/policy";

import { RULES } from "./rules";

new PolicyPack("federated-access", { policies: RULES });
