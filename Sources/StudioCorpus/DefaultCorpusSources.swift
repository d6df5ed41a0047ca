/// Where the default corpus's recordings come from: Debian packages, downloaded and unpacked (never
/// installed), with credited speakers (the built corpus's manifest names each clip's package and licence).
///
/// Decisions on the confounds (documented in the corpus README):
/// - **Bandwidth.** The 8 kHz sources (asterisk prompts: all women; codec2: mostly men) would let a
///   classifier tell gender by bandwidth, so the default uses wideband recordings only.
/// - **Synthetic voices.** Festival/flite voices are left out: they would make up unequal shares of
///   the two speech classes, and they are not recordings.
/// - **Padding.** Clips shorter than the window are centred in zeros; speech clips are cut from
///   words and phrases of similar length in both classes.
public enum DefaultCorpusSources {
    /// One speaker (speech) or one group of sound effects (nonhuman).
    public struct Source: Sendable {
        /// men, women or nonhuman.
        public let className: String
        /// Speaker or group name.
        public let speaker: String
        /// Glob patterns relative to the unpacked root (`**` matches any folders).
        public let patterns: [String]
        /// Held out for the test split (whole speakers).
        public let heldOut: Bool
        /// Case-insensitive regular expression of paths to leave out (voices among sound effects).
        public let exclude: String?
        /// Debian package and licence, for the README and manifest.
        public let package: String, licence: String
    }

    static func tuxpaint(_ language: String) -> String { "usr/share/tuxpaint/stamps/**/*_desc_\(language).ogg" }
    static func fillets(_ language: String, _ fish: String) -> String {
        "usr/share/games/fillets-ng/sound/**/\(language)/*-\(fish)-*.ogg"
    }
    static func kajongg(_ voice: String) -> String { "usr/share/kajongg/voices/\(voice)/*.ogg" }
    static func klettres(_ language: String) -> String { "usr/share/klettres/\(language)/*/*.ogg" }

    private static func speech(
        _ className: String, _ speaker: String, _ patterns: [String], held: Bool = false, package: String,
        licence: String
    ) -> Source {
        Source(
            className: className, speaker: speaker, patterns: patterns, heldOut: held, exclude: nil, package: package,
            licence: licence)
    }

    /// Recorded human speakers, wideband only.
    public static let speakers: [Source] = [
        speech("men", "tuxpaint_fr_paulk", [tuxpaint("fr")], package: "tuxpaint-stamps-default", licence: "GPL-2"),
        speech("men", "tuxpaint_ru_edwin", [tuxpaint("ru")], package: "tuxpaint-stamps-default", licence: "GPL-2"),
        speech(
            "men", "tuxpaint_bg_krasimir", [tuxpaint("bg")], held: true, package: "tuxpaint-stamps-default",
            licence: "GPL-2"),
        speech("men", "tuxpaint_ca", [tuxpaint("ca")], package: "tuxpaint-stamps-default", licence: "GPL-2"),
        speech("men", "tuxpaint_da_joe", [tuxpaint("da")], package: "tuxpaint-stamps-default", licence: "GPL-2"),
        speech("men", "tuxpaint_lt", [tuxpaint("lt")], package: "tuxpaint-stamps-default", licence: "GPL-2"),
        speech("men", "tuxpaint_nl", [tuxpaint("nl")], package: "tuxpaint-stamps-default", licence: "GPL-2"),
        speech("men", "fillets_cs_bigfish", [fillets("cs", "v")], package: "fillets-ng-data-cs", licence: "GPL-2+"),
        speech(
            "men", "fillets_nl_bigfish", [fillets("nl", "v")], held: true, package: "fillets-ng-data-nl",
            licence: "GPL-2+"),
        speech("men", "kajongg_en_male1", [kajongg("male1")], package: "kajongg", licence: "GPL-2+"),
        speech("men", "kajongg_en_male2", [kajongg("male2")], package: "kajongg", licence: "GPL-2+"),
        speech("men", "kajongg_de_male1", [kajongg("de/male1")], package: "kajongg", licence: "GPL-2+"),
        speech("men", "kajongg_de_male2", [kajongg("de/male2")], held: true, package: "kajongg", licence: "GPL-2+"),
        speech("men", "klettres_da", [klettres("da")], package: "klettres-data", licence: "GPL-2+"),
        speech("men", "klettres_en", [klettres("en")], package: "klettres-data", licence: "GPL-2+"),
        speech("men", "klettres_fr", [klettres("fr")], package: "klettres-data", licence: "GPL-2+"),
        speech("men", "klettres_hu", [klettres("hu")], held: true, package: "klettres-data", licence: "GPL-2+"),
        speech("men", "klettres_lt", [klettres("lt")], package: "klettres-data", licence: "GPL-2+"),
        speech("men", "klettres_ml", [klettres("ml")], package: "klettres-data", licence: "GPL-2+"),
        speech("men", "klettres_nds", [klettres("nds")], package: "klettres-data", licence: "GPL-2+"),
        speech(
            "men", "klettres_de_syllab", ["usr/share/klettres/de/syllab/*.ogg"], package: "klettres-data",
            licence: "GPL-2+"),
        speech(
            "men", "pocketsphinx_librivox", ["usr/share/pocketsphinx/test/data/librivox/*.wav"],
            package: "pocketsphinx-testdata", licence: "BSD-2-Clause"),
        speech("women", "tuxpaint_ro_tabbytha", [tuxpaint("ro")], package: "tuxpaint-stamps-default", licence: "GPL-2"),
        speech(
            "women", "tuxpaint_es_estefania", [tuxpaint("es")], package: "tuxpaint-stamps-default", licence: "GPL-2"),
        speech("women", "tuxpaint_be_ksenya", [tuxpaint("be")], package: "tuxpaint-stamps-default", licence: "GPL-2"),
        speech(
            "women", "tuxpaint_el_kiriaki", [tuxpaint("el")], held: true, package: "tuxpaint-stamps-default",
            licence: "GPL-2"),
        speech("women", "fillets_cs_smallfish", [fillets("cs", "m")], package: "fillets-ng-data-cs", licence: "GPL-2+"),
        speech(
            "women", "fillets_nl_smallfish", [fillets("nl", "m")], held: true, package: "fillets-ng-data-nl",
            licence: "GPL-2+"),
        speech("women", "kajongg_en_female1", [kajongg("female1")], package: "kajongg", licence: "GPL-2+"),
        speech("women", "kajongg_en_female2", [kajongg("female2")], package: "kajongg", licence: "GPL-2+"),
        speech("women", "kajongg_de_female1", [kajongg("de/female1")], package: "kajongg", licence: "GPL-2+"),
        speech(
            "women", "kajongg_de_female2", [kajongg("de/female2")], held: true, package: "kajongg", licence: "GPL-2+"),
        speech("women", "klettres_cs", [klettres("cs")], package: "klettres-data", licence: "GPL-2+"),
        speech(
            "women", "klettres_de_alpha", ["usr/share/klettres/de/alpha/*.ogg"], package: "klettres-data",
            licence: "GPL-2+"),
        speech("women", "klettres_en_gb", [klettres("en_GB")], package: "klettres-data", licence: "GPL-2+"),
        speech("women", "klettres_es", [klettres("es")], package: "klettres-data", licence: "GPL-2+"),
        speech("women", "klettres_it", [klettres("it")], package: "klettres-data", licence: "GPL-2+"),
        speech("women", "klettres_nb", [klettres("nb")], package: "klettres-data", licence: "GPL-2+"),
        speech("women", "klettres_nl", [klettres("nl")], package: "klettres-data", licence: "GPL-2+"),
        speech("women", "klettres_ru", [klettres("ru")], package: "klettres-data", licence: "GPL-2+"),
        speech("women", "klettres_uk", [klettres("uk")], held: true, package: "klettres-data", licence: "GPL-2+"),
    ]

    static let voiceWords =
        "choir|chorus|vowel|vox|voice|vocal|robot|burp|speech|speak|sing|laugh|human|beatbox|hiphop|scream|cough|sneeze|cry"

    /// Sound-effect groups, with everything that may contain a voice excluded.
    public static let soundGroups: [Source] = [
        Source(
            className: "nonhuman", speaker: "tuxpaint_sfx", patterns: ["usr/share/tuxpaint/stamps/**/*.ogg"],
            heldOut: false,
            exclude: "_desc|/symbols/|/town/roadsigns/|/military/|/hanukkah/|santahat|ghost|apollo|checkeredflag",
            package: "tuxpaint-stamps-default", licence: "GPL-2"),
        Source(
            className: "nonhuman", speaker: "qabcs_noises", patterns: ["usr/share/qabcs/abcs/all/noises/*.ogg"],
            heldOut: false,
            exclude: "QABCS_ALLOW", package: "qabcs-data", licence: "GPL-3+"),
        Source(
            className: "nonhuman", speaker: "wesnoth_sfx",
            patterns: ["usr/share/games/wesnoth/1.16/data/core/sounds/**/*.*"],
            heldOut: false,
            exclude:
                "human|elf|dwarf|orc|goblin|troll|ogre|lich|naga|mermen|mermaid|zombie|ghoul|wose|yeti|skeleton|ghost"
                + "|wail|laugh|scream|cry|giggle|grunt|death|die|hit|yell|shout|gasp|groan|squishy|hiss|female|male|voice|ugg|chat",
            package: "wesnoth-1.16-data", licence: "GPL-2+"),
        Source(
            className: "nonhuman", speaker: "scratch_sfx", patterns: ["usr/share/scratch/Media/Sounds/**/*.*"],
            heldOut: false,
            exclude: "/Vocals/|/Human/|HumanBeatbox|HipHop", package: "scratch", licence: "CC-BY-SA-3.0"),
        Source(
            className: "nonhuman", speaker: "sonicpi", patterns: ["usr/share/sonic-pi/samples/*.flac"], heldOut: false,
            exclude: voiceWords, package: "sonic-pi-samples", licence: "CC0-1.0 (mostly)"),
        Source(
            className: "nonhuman", speaker: "lmms", patterns: ["usr/share/lmms/samples/**/*.*"], heldOut: false,
            exclude: voiceWords,
            package: "lmms-common", licence: "GPL-2+"),
        Source(
            className: "nonhuman", speaker: "oxygen", patterns: ["usr/share/sounds/Oxygen-*.ogg"], heldOut: false,
            exclude: nil,
            package: "oxygen-sounds", licence: "LGPL-3+"),
        Source(
            className: "nonhuman", speaker: "freedesktop", patterns: ["usr/share/sounds/freedesktop/stereo/*.oga"],
            heldOut: false,
            exclude: "audio-channel", package: "sound-theme-freedesktop", licence: "CC-BY-SA-3.0 / GPL-2"),
        Source(
            className: "nonhuman", speaker: "gnome_audio", patterns: ["usr/share/sounds/**/*.wav"], heldOut: false,
            exclude: nil,
            package: "gnome-audio", licence: "CC-BY-SA-2.0 / CC-BY-3.0"),
        Source(
            className: "nonhuman", speaker: "bucklespring", patterns: ["usr/share/buckle/wav/*.wav"], heldOut: false,
            exclude: nil,
            package: "bucklespring-data", licence: "GPL-2+"),
    ]

    /// The Debian packages downloaded and unpacked for the default corpus.
    public static var packages: [String] {
        Array(Set((speakers + soundGroups).map(\.package))).sorted()
    }

    /// qabcs's "noises" also hold cartoon characters and people; only these are kept.
    static let qabcsAllowed: Set<String> = Set(
        """
        accordion aeoline aesculapian_snake airplane albatross bagpipes balloons bass_drum bear bicycle bird blister_beetle
        booby calf camera_lens cat cello chalkboard chimpanzee chinchilla clarinet clock cow crane crow cuica cymbals deer
        dice dog dolphin drums duck dulzaina eagle-owl electric_guitar elephant emu erhu excavator ferret fire fish flamingo
        flute foal frog gamba giant_panda giraffe goose grand_piano grasshopper guinea_fowl guitar hamster hand_organ hang
        harmonica harp hedgehog helicopter heron horn horse hyena iguana iora jaguar jerboa kazoo keyboard koala ladybug lion
        little_monkey lute lynx magnet maracas moose moth mouse natural_horn ney oboe organ otter owl pelican pheasant piano
        pig pipe porcupine python quail quena quetzal rabel raccoon ratchet recorder rhinoceros rooster rubber_ball saxophone
        sheep slit_drum snail sparrow spider spoons squeezebox squirrel stork tiger timpani tractor train trumpet turtle
        ukulele violin vulture wallaby washint watch whale whistle wolf wood_grouse xun xylophone yak yangqin zebra zhaleyka
        zipper zither zurna
        """.split(whereSeparator: { $0 == " " || $0 == "\n" }).map(String.init))
}
