using System.CommandLine;
using CityTwin.Cli;

var root = new RootCommand("CityTwin: a real-time digital twin of a city and a simulation engine on Orleans.");
root.Subcommands.Add(UpCommand.Create());
root.Subcommands.Add(IngestCommand.Create());
root.Subcommands.Add(StateCommand.Create());
root.Subcommands.Add(AlertsCommand.Create());
root.Subcommands.Add(DbCommand.Create());
root.Subcommands.Add(TokenCommand.Create());
root.Subcommands.Add(ImportCommand.Create());
root.Subcommands.Add(SimulateCommand.Create());
root.Subcommands.Add(TimingCommand.Create());
root.Subcommands.Add(ScenarioCommand.Create());
root.Subcommands.Add(SignalCommand.Create());
var parking = new Command("parking", "Parking: occupancy forecasts and their backtest, pricing and capacity what-ifs, and the demand model they use");
parking.Subcommands.Add(ParkingWhatIfCommand.CreateWhatIf());
parking.Subcommands.Add(ParkingWhatIfCommand.CreateFitDemand());
parking.Subcommands.Add(ParkingForecastCommand.CreateBacktest());
parking.Subcommands.Add(ParkingForecastCommand.CreateForecast());
parking.Subcommands.Add(ParkingForecastCommand.CreateFit());
root.Subcommands.Add(parking);
root.Subcommands.Add(ReplayCommand.Create());
root.Subcommands.Add(ConvertCommand.Create());
root.Subcommands.Add(ConvertCommand.CreateSynthDay());
root.Subcommands.Add(TwinsCommand.Create());

var parsed = root.Parse(args);
if (parsed.Errors.Count > 0)
{
    foreach (var error in parsed.Errors)
    {
        Console.Error.WriteLine($"citytwin: {error.Message}");
    }

    Console.Error.WriteLine("Run 'citytwin --help' for usage.");
    return ExitCodes.BadInput;
}

return await parsed.InvokeAsync();
