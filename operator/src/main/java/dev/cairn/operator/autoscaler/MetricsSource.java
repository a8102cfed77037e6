package dev.cairn.operator.autoscaler;

import java.util.List;

/** Collects the current ongoing-requests reading of each ready replica. */
public interface MetricsSource {

  /**
   * Scrapes every target; returns one result per target, a failure for any that did not answer in
   * time. Never throws for a single pod's failure.
   */
  List<ScrapeResult> scrape(List<ScrapeTarget> targets);
}
