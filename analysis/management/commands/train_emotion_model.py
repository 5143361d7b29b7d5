"""`manage.py train_emotion_model`: train a five-emotion model and export it to models/<name>."""

from pathlib import Path

from django.core.management.base import BaseCommand, CommandError

from emotion.training import (
    TrainingConfig,
    TrainingError,
    format_report,
    train_emotion_model,
)


class Command(BaseCommand):
    help = (
        "Train a MobileNetV2 five-emotion classifier on a FER2013 CSV or a folder per class, "
        "and export .keras, .tflite and manifest.json to --out."
    )

    def add_arguments(self, parser):
        defaults = TrainingConfig(data=Path(), out=Path())
        parser.add_argument(
            "--data", type=Path, required=True, help="FER2013 .csv or folder per class"
        )
        parser.add_argument(
            "--out", type=Path, required=True, help="output folder, e.g. models/mine"
        )
        parser.add_argument("--epochs", type=int, default=defaults.epochs)
        parser.add_argument("--fine-tune-epochs", type=int, default=defaults.fine_tune_epochs)
        parser.add_argument("--image-size", type=int, default=defaults.image_size)
        parser.add_argument("--batch-size", type=int, default=defaults.batch_size)
        parser.add_argument("--learning-rate", type=float, default=defaults.learning_rate)
        parser.add_argument(
            "--fine-tune-learning-rate", type=float, default=defaults.fine_tune_learning_rate
        )
        parser.add_argument(
            "--validation-fraction", type=float, default=defaults.validation_fraction
        )
        parser.add_argument("--patience", type=int, default=defaults.patience)
        parser.add_argument("--seed", type=int, default=defaults.seed)
        parser.add_argument(
            "--weights",
            choices=("auto", "none"),
            default=defaults.weights,
            help="auto: ImageNet weights if already in the Keras cache; none: random",
        )

    def handle(self, *args, **options):
        config = TrainingConfig(
            data=options["data"],
            out=options["out"],
            image_size=options["image_size"],
            epochs=options["epochs"],
            fine_tune_epochs=options["fine_tune_epochs"],
            batch_size=options["batch_size"],
            learning_rate=options["learning_rate"],
            fine_tune_learning_rate=options["fine_tune_learning_rate"],
            validation_fraction=options["validation_fraction"],
            patience=options["patience"],
            seed=options["seed"],
            weights=options["weights"],
        )
        try:
            result = train_emotion_model(config, progress=self.stdout.write)
        except TrainingError as exc:
            raise CommandError(str(exc)) from exc
        self.stdout.write(format_report(result))
        self.stdout.write(
            self.style.SUCCESS(
                f"Use it with EmotionRecognizer(manifest={str(result.manifest_path)!r})."
            )
        )
