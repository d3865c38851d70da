"""Object storage on any S3-compatible service, through boto3."""
