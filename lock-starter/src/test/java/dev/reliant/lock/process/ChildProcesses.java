package dev.reliant.lock.process;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;

import dev.reliant.lock.LockTestServers;
import dev.reliant.lock.LockTestServers.Kind;
import dev.reliant.testsupport.ChildJvm;
import dev.reliant.testsupport.TestPostgres;

/** Starts {@link LockChild} processes against the test servers. */
final class ChildProcesses {

    private ChildProcesses() {
    }

    static ChildJvm start(String mode, String instance, String lock, String path, Kind kind,
            TestPostgres.Schema schema, String redisPrefix, String... extraProperties) {
        List<String> args = new ArrayList<>(List.of(mode, instance, lock, path));
        args.addAll(List.of(LockTestServers.springProperties(kind, schema, redisPrefix)));
        args.add("spring.datasource.hikari.maximum-pool-size=4");
        args.addAll(List.of(extraProperties));
        return ChildJvm.start(LockChild.class, args, Map.of());
    }

}
