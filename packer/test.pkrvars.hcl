# Variables for tests: build against a local endpoint (a moto server) without
# connecting to the instance. The test passes the endpoint itself, e.g.
#   packer build -var-file=test.pkrvars.hcl -var ec2_endpoint=http://127.0.0.1:PORT <dir>
region          = "us-east-1"
instance_type   = "t3.micro"
communicator    = "none"
skip_aws_checks = true
ec2_endpoint    = "http://127.0.0.1:5000"
flask_ref       = "master"
app_revision    = "test"
fingerprint     = "test-fingerprint"
run_id          = "test-1"
