package main

// defaultSuppress is the default -suppress.
const defaultSuppress = 150
