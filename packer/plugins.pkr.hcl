# Plugin requirements, kept in a file of their own.
#
# Packer >= 1.7 reads this block and `packer init` installs the Amazon plugin.
# Packer 1.6.x (Debian's packer package, used by the test bed) has the Amazon
# builder built in and cannot parse `required_plugins`, so the tests load the
# other *.pkr.hcl files without this one (see README.md).
#
# The plugin is pinned to 1.3.9, the last release whose SHA256SUMS file is on
# GitHub: Packer before 1.14 (the workflow runs 1.11.2) installs plugins from
# GitHub releases only, and v1.3.10 and later are published with their
# checksums on releases.hashicorp.com instead
# (hashicorp/packer-plugin-amazon issues 586 and 598),
# so `>= 1.2.0` silently resolved to 1.3.9 anyway.
packer {
  required_version = ">= 1.7.0"
  required_plugins {
    amazon = {
      version = "= 1.3.9"
      source  = "github.com/hashicorp/amazon"
    }
  }
}
