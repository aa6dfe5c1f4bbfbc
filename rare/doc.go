// Package rare scores how surprising a categorical value is for an entity
// and for a population, in bounded memory: Elastic's rare and freq_rare.
package rare
