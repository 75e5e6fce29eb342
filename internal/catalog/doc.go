// Package catalog holds the data sources of the FlexMetal catalog: flexmetal_location(s),
// flexmetal_instance_type(s) and flexmetal_operating_system(s). They read through the per-process
// catalog cache of internal/shared, which the server plan checks use too.
package catalog
