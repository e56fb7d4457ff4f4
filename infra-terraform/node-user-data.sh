#!/usr/bin/env bash
# GPU mesh node boot (Terraform templatefile: ${bucket}, ${release_key}, ${cluster}, ${region}, ${api_url},
# ${api_token_secret}). Installs a JDK 25 and the strata release from the artifact bucket, then runs `strata node` as a
# systemd service that joins the mesh: its peers are the running instances of this autoscaling group (EC2 tag
# strata-cluster=${cluster}), and it registers the blocks it runs in the control plane at ${api_url}.
set -euo pipefail

dnf install -y -q java-25-amazon-corretto-headless awscli tar || yum install -y -q java-25-amazon-corretto-headless awscli tar
install -d -o root -m 0755 /opt/strata
aws s3 cp --region "${region}" "s3://${bucket}/${release_key}" /tmp/strata.tar.gz
tar -xzf /tmp/strata.tar.gz -C /opt/strata
useradd --system --home /var/lib/strata --create-home strata || true

TOKEN=$(curl -sf -X PUT http://169.254.169.254/latest/api/token -H 'X-aws-ec2-metadata-token-ttl-seconds: 300')
SELF=$(curl -sf -H "X-aws-ec2-metadata-token: $TOKEN" http://169.254.169.254/latest/meta-data/local-ipv4)
API_TOKEN=$(aws secretsmanager get-secret-value --region "${region}" --secret-id "${api_token_secret}" --query SecretString --output text)

cat > /usr/local/bin/strata-peers <<'PEERS'
#!/usr/bin/env bash
# The mesh's members as HOST:7800 for --peers: every running instance tagged with this cluster.
aws ec2 describe-instances --region "$1" --filters "Name=tag:strata-cluster,Values=$2" "Name=instance-state-name,Values=running" \
  --query 'Reservations[].Instances[].PrivateIpAddress' --output text | tr '\t' '\n' | sed 's/$/:7800/' | paste -sd, -
PEERS
chmod 0755 /usr/local/bin/strata-peers

install -m 0600 -o strata /dev/null /etc/strata.env
printf 'STRATA_API_TOKEN=%s\n' "$API_TOKEN" > /etc/strata.env

cat > /etc/systemd/system/strata-node.service <<UNIT
[Unit]
Description=Strata mesh node
After=network-online.target
Wants=network-online.target

[Service]
User=strata
EnvironmentFile=/etc/strata.env
ExecStart=/bin/bash -c 'exec /opt/strata/strata node --cluster ${cluster} --bind 0.0.0.0 --advertise $SELF \
  --peers "\$(/usr/local/bin/strata-peers ${region} ${cluster})" --control-plane ${api_url} --cache-dir /var/lib/strata/cache'
Restart=always
RestartSec=5

[Install]
WantedBy=multi-user.target
UNIT
systemctl daemon-reload
systemctl enable --now strata-node.service
