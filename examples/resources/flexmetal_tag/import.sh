# Import a tag by its name (see the flexmetal_tags data source).
terraform import flexmetal_tag.env env:prod
