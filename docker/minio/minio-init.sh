#!/bin/sh
# One-shot after MinIO is healthy (docker-compose.yml `minio-init`): the buckets of ModelHub and MLflow,
# and a key limited to them for ModelHub's API, jobs and MLflow. Idempotent: safe on every `up`.
set -eu
mc alias set local http://minio:9000 "$MINIO_ROOT_USER" "$MINIO_ROOT_PASSWORD" >/dev/null
mc mb --ignore-existing "local/$OBJECTS_BUCKET" "local/$MLFLOW_BUCKET"

cat >/tmp/modelhub-policy.json <<POLICY
{
  "Version": "2012-10-17",
  "Statement": [
    {"Effect": "Allow", "Action": ["s3:GetBucketLocation", "s3:ListBucket", "s3:ListBucketMultipartUploads"],
     "Resource": ["arn:aws:s3:::$OBJECTS_BUCKET", "arn:aws:s3:::$MLFLOW_BUCKET"]},
    {"Effect": "Allow", "Action": ["s3:GetObject", "s3:PutObject", "s3:DeleteObject", "s3:AbortMultipartUpload",
                                   "s3:ListMultipartUploadParts"],
     "Resource": ["arn:aws:s3:::$OBJECTS_BUCKET/*", "arn:aws:s3:::$MLFLOW_BUCKET/*"]}
  ]
}
POLICY
mc admin policy create local modelhub-buckets /tmp/modelhub-policy.json
# Re-running sets the same secret again (and rotates it when .env changed).
mc admin user add local "$S3_ACCESS_KEY" "$S3_SECRET_KEY"
mc admin policy attach local modelhub-buckets --user "$S3_ACCESS_KEY" 2>/dev/null || true
echo "buckets $OBJECTS_BUCKET and $MLFLOW_BUCKET ready for $S3_ACCESS_KEY"
