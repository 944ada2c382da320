package io.jflannel.subnet.kube.bench;

import com.sun.management.GarbageCollectionNotificationInfo;
import java.lang.management.GarbageCollectorMXBean;
import java.lang.management.ManagementFactory;
import java.lang.management.MemoryPoolMXBean;
import java.lang.management.MemoryType;
import java.util.Set;
import java.util.concurrent.atomic.AtomicLong;
import java.util.stream.Collectors;
import javax.management.NotificationEmitter;
import javax.management.openmbean.CompositeData;

/**
 * The largest heap in use right after any GC since {@link #reset}: how much was live (plus what the
 * collector kept) at the worst moment, e.g. while a list of 5,000 full Nodes is being handled.
 */
final class GcPeak {

  private static final AtomicLong max = new AtomicLong();
  private static final Set<String> HEAP_POOLS =
      ManagementFactory.getMemoryPoolMXBeans().stream()
          .filter(p -> p.getType() == MemoryType.HEAP)
          .map(MemoryPoolMXBean::getName)
          .collect(Collectors.toSet());

  static {
    for (GarbageCollectorMXBean gc : ManagementFactory.getGarbageCollectorMXBeans()) {
      ((NotificationEmitter) gc)
          .addNotificationListener(
              (notification, handback) -> {
                if (GarbageCollectionNotificationInfo.GARBAGE_COLLECTION_NOTIFICATION.equals(
                    notification.getType())) {
                  GarbageCollectionNotificationInfo info =
                      GarbageCollectionNotificationInfo.from(
                          (CompositeData) notification.getUserData());
                  long used = 0;
                  for (var pool : info.getGcInfo().getMemoryUsageAfterGc().entrySet()) {
                    if (HEAP_POOLS.contains(pool.getKey())) {
                      used += pool.getValue().getUsed();
                    }
                  }
                  max.accumulateAndGet(used, Math::max);
                }
              },
              null,
              null);
    }
  }

  private GcPeak() {}

  static void reset() {
    max.set(0);
  }

  static long max() {
    return max.get();
  }
}
