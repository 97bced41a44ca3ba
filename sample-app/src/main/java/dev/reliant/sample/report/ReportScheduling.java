package dev.reliant.sample.report;

import org.springframework.context.annotation.Configuration;
import org.springframework.scheduling.annotation.EnableScheduling;

/** Runs the sample's scheduled jobs. */
@Configuration(proxyBeanMethods = false)
@EnableScheduling
class ReportScheduling {

}
