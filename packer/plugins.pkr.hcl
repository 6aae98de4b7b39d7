# Plugin requirements, kept in a file of their own.
#
# Packer >= 1.7 reads this block and `packer init` installs the Amazon plugin.
# Packer 1.6.x (Debian's packer package, used by the test bed) has the Amazon
# builder built in and cannot parse `required_plugins`, so the tests load the
# other *.pkr.hcl files without this one (see README.md).
packer {
  required_version = ">= 1.7.0"
  required_plugins {
    amazon = {
      version = ">= 1.2.0"
      source  = "github.com/hashicorp/amazon"
    }
  }
}
