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
  description = "Branch, tag or commit of flask_repo to bake."
  default     = "main"

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
