//! `simulator`: replays a scenario through the market and writes a report with charts.

use clap::Parser;

fn main() -> anyhow::Result<()> {
    simulator::cli::Cli::parse().run()
}
