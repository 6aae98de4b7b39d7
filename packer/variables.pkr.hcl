# Inputs of the img-mgr AMI build. Packer 1.6 has no regex functions, so the
# validations use substr/split only.

variable "flask_repo" {
  type        = string
  description = "HTTPS git URL of the Flask app (your fork of dianephan/flask-aws-storage)."
  default     = "https://github.com/dianephan/flask-aws-storage.git"

  validation {
    condition     = substr(var.flask_repo, 0, 8) == "https://" && length(var.flask_repo) > 8 && length(split(" ", var.flask_repo)) == 1
    error_message = "The flask_repo variable must be an https:// git URL without spaces."
  }
}

variable "flask_ref" {
  type        = string
  description = "Branch, tag or commit of flask_repo to bake. The upstream app has only master; the bake-and-deploy workflow passes the resolved commit SHA."
  default     = "master"

  validation {
    condition     = length(var.flask_ref) > 0 && length(split(" ", var.flask_ref)) == 1
    error_message = "The flask_ref variable must be a non-empty git ref without spaces."
  }
}

variable "app_revision" {
  type        = string
  description = "The resolved app revision (commit SHA of flask_ref), recorded in the AMI tags."
  default     = ""
}

variable "fingerprint" {
  type        = string
  description = "Fingerprint of template, variables and app revision computed by the bake-ami action (AMI tag `fingerprint`)."
  default     = ""
}

variable "run_id" {
  type        = string
  description = "CI run id (e.g. GITHUB_RUN_ID-GITHUB_RUN_ATTEMPT) that made the AMI; part of its name and tags."
  default     = ""

  validation {
    condition     = length(split(" ", var.run_id)) == 1 && length(var.run_id) <= 64
    error_message = "The run_id variable must be at most 64 characters without spaces."
  }
}

variable "region" {
  type        = string
  description = "Region the AMI is built in."
  default     = "us-west-2"
}

variable "ami_regions" {
  type        = list(string)
  description = "Further regions the AMI is copied to."
  default     = []
}

variable "instance_type" {
  type        = string
  description = "Instance type of the build instance."
  default     = "t3.small"
}

variable "ssh_username" {
  type        = string
  description = "Login user of the base AMI."
  default     = "ec2-user"
}

variable "communicator" {
  type        = string
  description = "ssh for real builds; none (tests only) builds without connecting, and the provisioners are skipped because they need a connection."
  default     = "ssh"

  validation {
    condition     = var.communicator == "ssh" || var.communicator == "none"
    error_message = "The communicator variable must be ssh or none."
  }
}

variable "ec2_endpoint" {
  type        = string
  description = "Custom EC2 endpoint (tests point this at a moto server); empty means AWS."
  default     = ""
}

variable "skip_aws_checks" {
  type        = bool
  description = "Skip credential, metadata API and region validation (only for a local endpoint)."
  default     = false
}

variable "subnet_id" {
  type        = string
  description = "Subnet of the build instance (needs a route to the internet); empty uses the default VPC. Required in accounts without a default VPC."
  default     = ""

  validation {
    condition     = var.subnet_id == "" || (substr(var.subnet_id, 0, 7) == "subnet-" && length(split(" ", var.subnet_id)) == 1)
    error_message = "The subnet_id variable must be empty or a subnet id (subnet-...)."
  }
}

variable "associate_public_ip_address" {
  type        = string
  description = "\"true\" gives the build instance a public IP (a public subnet that maps none, such as vpc.yaml's, which bake-ami picks when the account has no default VPC); empty keeps the subnet's own setting."
  default     = ""

  validation {
    condition     = contains(["", "true", "false"], var.associate_public_ip_address)
    error_message = "The associate_public_ip_address variable must be empty, true or false."
  }
}

variable "vpc_id" {
  type        = string
  description = "VPC of subnet_id, for the temporary security group; empty lets Packer read it from subnet_id."
  default     = ""

  validation {
    condition     = var.vpc_id == "" || (substr(var.vpc_id, 0, 4) == "vpc-" && length(split(" ", var.vpc_id)) == 1)
    error_message = "The vpc_id variable must be empty or a VPC id (vpc-...)."
  }
}

variable "ssh_source_cidr" {
  type        = string
  description = "The only source the temporary security group admits on port 22: the runner's public address as a.b.c.d/32 (Packer 1.6 has no temporary_security_group_source_public_ip). 0.0.0.0/0 admits anyone."
  default     = "0.0.0.0/0"

  validation {
    condition     = length(split("/", var.ssh_source_cidr)) == 2 && length(split(".", split("/", var.ssh_source_cidr)[0])) == 4 && length(split(" ", var.ssh_source_cidr)) == 1
    error_message = "The ssh_source_cidr variable must be an IPv4 CIDR such as 203.0.113.7/32."
  }
}

variable "kms_key_id" {
  type        = string
  description = "KMS key (id, alias/NAME or ARN) that encrypts the AMI's snapshots; empty keeps the source image's encryption. The GitHub role needs grants on it (AmiKmsKeyArn of github-bake-role.yaml)."
  default     = ""

  validation {
    condition     = var.kms_key_id == "" || ((substr(var.kms_key_id, 0, 6) == "alias/" || substr(var.kms_key_id, 0, 8) == "arn:aws:" || substr(var.kms_key_id, 0, 4) == "mrk-" || length(var.kms_key_id) == 36) && length(split(" ", var.kms_key_id)) == 1)
    error_message = "The kms_key_id variable must be empty, a key id, alias/NAME or a KMS key ARN."
  }
}
