package dev.modelwatch.server;

import static com.tngtech.archunit.base.DescribedPredicate.describe;
import static com.tngtech.archunit.lang.syntax.ArchRuleDefinition.noClasses;
import static com.tngtech.archunit.library.Architectures.layeredArchitecture;
import static com.tngtech.archunit.library.dependencies.SlicesRuleDefinition.slices;

import com.tngtech.archunit.core.domain.JavaCall;
import com.tngtech.archunit.core.domain.JavaClass;
import com.tngtech.archunit.core.domain.JavaClasses;
import com.tngtech.archunit.core.domain.JavaConstructorCall;
import com.tngtech.archunit.core.domain.JavaMethodCall;
import com.tngtech.archunit.core.importer.ClassFileImporter;
import com.tngtech.archunit.core.importer.ImportOption;
import com.tngtech.archunit.lang.ArchRule;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * The layer rules of DESIGN.md, checked over the compiled classes of core, store and server (main
 * code only, tests excluded), so that a forbidden import fails the build instead of waiting for a
 * reviewer to notice it.
 */
class ArchitectureTest {
    private static final String CORE = "dev.modelwatch.core..";
    private static final String STORE = "dev.modelwatch.store..";
    private static final String SERVER = "dev.modelwatch.server..";
    /** The wiring places: the server's root package (ModelWatchServer) and the command line. */
    private static final String[] WIRING = {"dev.modelwatch.server", "dev.modelwatch.server.cli.."};

    /**
     * The aggregator's retries (its Retries class) pause with the project's one RetryPolicy, which
     * lives beside the notifiers it also decides for (its decide() reads a NotifyResult). This one
     * dependency is the only exception to the pipeline's direction.
     */
    private static final String AGGREGATOR = "dev.modelwatch.server.aggregate.Retries";
    private static final String RETRY_POLICY = "dev.modelwatch.server.alert.notify.RetryPolicy";

    private static final java.util.Map<String, Boolean> RUNTIME_SERVICES = new java.util.concurrent.ConcurrentHashMap<>();
    private static JavaClasses classes;

    @BeforeAll
    static void importClasses() {
        classes = new ClassFileImporter()
                .withImportOption(ImportOption.Predefined.DO_NOT_INCLUDE_TESTS)
                // no DO_NOT_INCLUDE_JARS: in `mvn verify` core and store come as their packaged jars
                .importPackages("dev.modelwatch");
    }

    @Test
    void theClassesOfEveryModuleAreImported() {
        // a rule over an empty set passes: make sure each module was found on the class path
        org.assertj.core.api.Assertions.assertThat(classes.stream().map(c -> c.getPackageName().split("\\.")[2]).distinct())
                .contains("core", "store", "server");
    }

    @Test
    void coreDoesNoInputOrOutput() {
        ArchRule rule = noClasses().that().resideInAPackage(CORE)
                .should().dependOnClassesThat(describe("files, sockets, SQL or the console", ArchitectureTest::isIo))
                .orShould().accessField(System.class, "out")
                .orShould().accessField(System.class, "err")
                .orShould().accessField(System.class, "in")
                .because("core is pure computation (DESIGN.md, Modules); in-memory streams for codecs are allowed");
        rule.check(classes);
    }

    @Test
    void coreReadsNoClock() {
        ArchRule rule = noClasses().that().resideInAPackage(CORE)
                .should().callMethodWhere(describe("a read of the system clock", ArchitectureTest::readsClock))
                .because("time is passed in (STYLE.md, Time is injected)");
        rule.check(classes);
    }

    @Test
    void coreKnowsNeitherStoreNorServer() {
        noClasses().that().resideInAPackage(CORE)
                .should().dependOnClassesThat().resideInAnyPackage(STORE, SERVER)
                .check(classes);
    }

    @Test
    void storeKnowsNoServer() {
        noClasses().that().resideInAPackage(STORE)
                .should().dependOnClassesThat().resideInAPackage(SERVER)
                .check(classes);
    }

    /**
     * The pipeline, a stage knowing only those before it: ingest, then aggregate, then drift and
     * alert. (Whether anything below the API imports {@code api} is checked by
     * {@link #alertAndDriftNeverImportTheApi}.)
     */
    @Test
    void serverStagesDependOnlyOnEarlierStages() {
        layeredArchitecture().consideringOnlyDependenciesInLayers()
                .layer("ingest").definedBy("dev.modelwatch.server.ingest..")
                .layer("aggregate").definedBy("dev.modelwatch.server.aggregate..")
                .layer("drift").definedBy("dev.modelwatch.server.drift..")
                .layer("alert").definedBy("dev.modelwatch.server.alert..")
                .whereLayer("ingest").mayNotAccessAnyLayer()
                .whereLayer("aggregate").mayOnlyAccessLayers("ingest")
                .whereLayer("drift").mayOnlyAccessLayers("ingest", "aggregate")
                .whereLayer("alert").mayOnlyAccessLayers("ingest", "aggregate", "drift")
                .ignoreDependency(AGGREGATOR, RETRY_POLICY)
                .check(classes);
    }

    /** No cycle among the server's packages, leaving out {@code api} (see {@link #serverPackagesHaveNoCycle}). */
    @Test
    void serverPackagesBesidesTheApiHaveNoCycle() {
        slices().matching("dev.modelwatch.server.(*)..")
                .that(describe("not the api", slice -> !slice.getDescription().equals("Slice api")))
                .should().beFreeOfCycles()
                .ignoreDependency(AGGREGATOR, RETRY_POLICY)
                .check(classes);
    }

    @Test
    void alertAndDriftNeverImportTheApi() {
        noClasses().that().resideInAnyPackage("dev.modelwatch.server.alert..", "dev.modelwatch.server.drift..")
                .should().dependOnClassesThat().resideInAnyPackage("dev.modelwatch.server.api..",
                        "dev.modelwatch.server.web..")
                .check(classes);
    }

    @Test
    void serverPackagesHaveNoCycle() {
        slices().matching("dev.modelwatch.server.(*)..").should().beFreeOfCycles()
                .ignoreDependency(AGGREGATOR, RETRY_POLICY)
                .check(classes);
    }

    /**
     * A runtime service is a class that starts threads or opens connections: its code (nested
     * classes and lambdas included) creates a thread, an executor, an HTTP client, a server, a
     * connection pool, a database connection, a RocksDB or a file channel. Only the wiring places
     * construct them, so that what runs, and with which clock, threads and clients, is read in one
     * place. A class may construct itself (its static factories).
     */
    @Test
    void onlyTheWiringConstructsRuntimeServices() {
        noClasses().that().resideOutsideOfPackages(WIRING)
                .should().callConstructorWhere(describe("a constructor of a runtime service of another class",
                        ArchitectureTest::constructsAnotherRuntimeService))
                .because("only ModelWatchServer and the cli wire runtime services together (STYLE.md)")
                .check(classes);
    }

    /**
     * Configuration parses into values: while it reads the file it starts nothing, builds no
     * notifier, no HTTP client, executor or thread (the wiring builds them from the values).
     */
    @Test
    void configurationParsesIntoValues() {
        noClasses().that().resideInAPackage("dev.modelwatch.server.config..")
                .should().callCodeUnitWhere(describe("code of a runtime service, a notifier or a resource factory",
                        call -> createsResource(call) || createsRuntimeService(call.getTargetOwner())
                                || isNotifier(call.getTargetOwner())))
                .check(classes);
    }

    static boolean isIo(JavaClass c) {
        String name = c.getName();
        return name.startsWith("java.nio.file.") || name.startsWith("java.nio.channels.")
                || name.startsWith("java.net.") || name.startsWith("java.sql.") || name.startsWith("javax.sql.")
                || name.startsWith("java.io.File") || name.equals("java.io.RandomAccessFile")
                || name.equals("java.io.Console");
    }

    static boolean readsClock(JavaMethodCall call) {
        String owner = call.getTargetOwner().getName();
        String method = call.getName();
        if (owner.equals("java.lang.System")) {
            return method.equals("currentTimeMillis") || method.equals("nanoTime");
        }
        if (owner.equals("java.time.Clock")) {
            return method.startsWith("system");
        }
        // Instant.now(), LocalDate.now(), ... without a clock argument read the system clock
        return owner.startsWith("java.time.") && method.equals("now") && call.getTarget().getRawParameterTypes().isEmpty();
    }

    /** Whether a call creates a thread, an executor, a client, a server or a connection. */
    static boolean createsResource(JavaCall<?> call) {
        JavaClass owner = call.getTargetOwner();
        String name = owner.getName();
        String method = call.getName();
        if (call instanceof JavaConstructorCall) {
            return owner.isAssignableTo(Thread.class) || owner.isAssignableTo(java.util.concurrent.ExecutorService.class)
                    || owner.isAssignableTo(java.net.ServerSocket.class) || owner.isAssignableTo(java.util.Timer.class)
                    || name.equals("com.zaxxer.hikari.HikariDataSource");
        }
        return name.equals("java.util.concurrent.Executors")
                || name.equals("java.net.http.HttpClient") && method.startsWith("new")
                || name.equals("java.sql.DriverManager") && method.equals("getConnection")
                || name.equals("java.nio.channels.FileChannel") && method.equals("open")
                || name.equals("io.javalin.Javalin") && method.equals("create")
                || name.equals("org.rocksdb.RocksDB") && method.startsWith("open");
    }

    static boolean createsRuntimeService(JavaClass c) {
        if (!c.getPackageName().startsWith("dev.modelwatch")) {
            return false;
        }
        return RUNTIME_SERVICES.computeIfAbsent(topLevel(c).getName(), n -> ownsResources(topLevel(c)));
    }

    private static boolean ownsResources(JavaClass top) {
        String prefix = top.getName() + "$";
        for (JavaClass member : classes) {
            if (member.equals(top) || member.getName().startsWith(prefix)) {
                for (var access : member.getAccessesFromSelf()) {
                    if (access instanceof JavaCall<?> call && createsResource(call)) {
                        return true;
                    }
                }
            }
        }
        return false;
    }

    static boolean isNotifier(JavaClass c) {
        return c.isAssignableTo("dev.modelwatch.server.alert.notify.Notifier")
                || c.isAssignableTo("dev.modelwatch.server.alert.notify.Notifier");
    }

    static boolean constructsAnotherRuntimeService(JavaConstructorCall call) {
        JavaClass target = call.getTargetOwner();
        JavaClass origin = call.getOriginOwner();
        if (topLevel(target).equals(topLevel(origin))) {
            return false;
        }
        return createsRuntimeService(target);
    }

    private static JavaClass topLevel(JavaClass c) {
        JavaClass top = c;
        while (top.getEnclosingClass().isPresent()) {
            top = top.getEnclosingClass().get();
        }
        return top;
    }
}
