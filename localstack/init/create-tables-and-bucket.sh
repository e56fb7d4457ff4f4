#!/usr/bin/env bash
# LocalStack ready hook (mounted at /etc/localstack/init/ready.d): creates Strata's DynamoDB tables and the artifact
# bucket; running it again changes nothing. The tables are read from the generated Terraform
# (/opt/strata/dynamodb.tf.json = infra-terraform/dynamodb.tf.json, generated from dynamo-tables' Tables), so they are
# defined in one place only.
set -euo pipefail

TF=${STRATA_TABLES_TF:-/opt/strata/dynamodb.tf.json}
PREFIX=${STRATA_TABLE_PREFIX:-strata-}
BUCKET=${STRATA_ARTIFACT_BUCKET:-strata-artifacts}

[[ -f "$TF" ]] || { echo "strata init: $TF is missing — mount infra-terraform/dynamodb.tf.json there" >&2; exit 1; }

# One CreateTable request (JSON, one per line) for each aws_dynamodb_table of the Terraform file.
create_table_requests() {
  python3 - "$TF" "$PREFIX" <<'PY'
import json, sys

terraform, prefix = json.load(open(sys.argv[1])), sys.argv[2]

def key_schema(spec):
    keys = [{"AttributeName": spec["hash_key"], "KeyType": "HASH"}]
    if "range_key" in spec:
        keys.append({"AttributeName": spec["range_key"], "KeyType": "RANGE"})
    return keys

for table in terraform["resource"]["aws_dynamodb_table"].values():
    request = {
        "TableName": table["name"].replace("${var.table_prefix}", prefix),
        "BillingMode": table["billing_mode"],
        "AttributeDefinitions": [{"AttributeName": a["name"], "AttributeType": a["type"]} for a in table["attribute"]],
        "KeySchema": key_schema(table),
    }
    indexes = [{"IndexName": i["name"], "KeySchema": key_schema(i), "Projection": {"ProjectionType": i["projection_type"]}}
               for i in table.get("global_secondary_index", [])]
    if indexes:
        request["GlobalSecondaryIndexes"] = indexes
    print(json.dumps(request))
PY
}

create_table_requests | while IFS= read -r request; do
  name=$(python3 -c 'import json, sys; print(json.loads(sys.argv[1])["TableName"])' "$request")
  if awslocal dynamodb describe-table --table-name "$name" >/dev/null 2>&1; then
    echo "strata init: table $name exists"
  else
    awslocal dynamodb create-table --cli-input-json "$request" >/dev/null
    echo "strata init: created table $name"
  fi
done

if awslocal s3api head-bucket --bucket "$BUCKET" >/dev/null 2>&1; then
  echo "strata init: bucket $BUCKET exists"
else
  awslocal s3api create-bucket --bucket "$BUCKET" >/dev/null
  echo "strata init: created bucket $BUCKET"
fi
