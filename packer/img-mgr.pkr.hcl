# The img-mgr golden AMI: Amazon Linux 2023 with the Flask app, gunicorn,
# a systemd unit and nginx baked in. Nothing is installed at boot; the launch
# template's user data only writes /etc/img-mgr/app.env.

locals {
  # Unique per build: a UTC timestamp plus the CI run id when there is one.
  stamp    = formatdate("YYYYMMDD-hhmmss", timestamp())
  ami_name = var.run_id == "" ? "img-mgr-${local.stamp}" : "img-mgr-${local.stamp}-${var.run_id}"

  # Provisioners need a connection; with communicator = "none" (tests) they
  # are skipped through `except` below.
  skip_provisioning = var.communicator == "none" ? ["amazon-ebs.img-mgr"] : []

  tags = {
    Name           = local.ami_name
    application    = "img-mgr"
    "created-by"   = "packer"
    "flask-repo"   = var.flask_repo
    "flask-ref"    = var.flask_ref
    "app-revision" = var.app_revision
    fingerprint    = var.fingerprint
    "run-id"       = var.run_id
  }
}

source "amazon-ebs" "img-mgr" {
  region          = var.region
  ami_regions     = var.ami_regions
  instance_type   = var.instance_type
  ami_name        = local.ami_name
  ami_description = "img-mgr ${var.flask_ref} (${var.app_revision}) on Amazon Linux 2023"

  # Newest Amazon Linux 2023 (standard, not minimal) published by Amazon.
  # AL2023 AMIs are registered with ImdsSupport v2.0, so the build instance is
  # IMDSv2-only; Packer 1.6 has no metadata_options block to say it again.
  source_ami_filter {
    filters = {
      name                = "al2023-ami-2023.*-kernel-*-x86_64"
      architecture        = "x86_64"
      virtualization-type = "hvm"
      root-device-type    = "ebs"
    }
    owners      = ["amazon"]
    most_recent = true
  }

  communicator = var.communicator
  ssh_username = var.ssh_username

  # Account shapes: empty subnet_id/vpc_id keep the default VPC (Packer finds
  # the VPC from the subnet when only subnet_id is set). The temporary
  # security group admits SSH from ssh_source_cidr only.
  subnet_id                             = var.subnet_id
  vpc_id                                = var.vpc_id
  associate_public_ip_address           = var.associate_public_ip_address == "" ? null : var.associate_public_ip_address == "true"
  temporary_security_group_source_cidrs = [var.ssh_source_cidr]

  # An AMI encrypted with kms_key_id, or Packer's default (keep the source's
  # encryption) when it is empty.
  encrypt_boot = var.kms_key_id == "" ? null : true
  kms_key_id   = var.kms_key_id

  custom_endpoint_ec2        = var.ec2_endpoint
  skip_credential_validation = var.skip_aws_checks
  skip_metadata_api_check    = var.skip_aws_checks
  skip_region_validation     = var.skip_aws_checks

  tags            = local.tags
  snapshot_tags   = local.tags
  run_tags        = merge(local.tags, { Name = "packer-build ${local.ami_name}" })
  run_volume_tags = local.tags
}

build {
  sources = ["source.amazon-ebs.img-mgr"]

  # What install_my_app.sh runs besides itself: the app-configuration step
  # and the instance's health check. /tmp exists (the file provisioner does
  # not create directories) and is a tmpfs on AL2023, so nothing stays.
  provisioner "file" {
    except      = local.skip_provisioning
    sources     = ["${path.root}/configure_app.sh", "${path.root}/health-check.sh"]
    destination = "/tmp/"
  }

  # `script`, not `inline`: Packer uploads install_my_app.sh itself and runs
  # it with execute_command, so the provisioner's status is the script's own
  # exit status (set -euo pipefail: any failing step fails the bake). An
  # inline list would end with the status of its last line, since `bash FILE`
  # ignores Packer's `#!/bin/sh -e` shebang.
  provisioner "shell" {
    except = local.skip_provisioning
    script = "${path.root}/install_my_app.sh"
    environment_vars = [
      "FLASK_REPO=${var.flask_repo}",
      "FLASK_REF=${var.flask_ref}",
      "IMG_MGR_FINGERPRINT=${var.fingerprint}",
      "IMG_MGR_CONFIGURE_APP=/tmp/configure_app.sh",
      "IMG_MGR_HEALTH_CHECK=/tmp/health-check.sh",
    ]
    execute_command = "chmod +x {{ .Path }}; sudo -E env {{ .Vars }} bash {{ .Path }}"
  }
}
